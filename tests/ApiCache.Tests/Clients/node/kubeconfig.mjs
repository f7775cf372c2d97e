// The kubeconfig both informer scripts use: one cluster at `server`, no credentials. This client
// refuses an http:// server unless skipTLSVerify is set (there is no TLS to verify on http, so the
// flag changes nothing else).
import * as k8s from '@kubernetes/client-node';

export function anonymousKubeConfig(server, namespace) {
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'dev', server, skipTLSVerify: server.startsWith('http:') }],
    users: [{ name: 'anonymous' }],
    contexts: [{ name: 'dev', cluster: 'dev', user: 'anonymous', namespace }],
    currentContext: 'dev',
  });
  return kc;
}
