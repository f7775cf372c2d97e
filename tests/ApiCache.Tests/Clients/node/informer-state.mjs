// Runs an informer of the official Kubernetes JavaScript client (@kubernetes/client-node) on a
// namespace's configmaps and reports its object set, for tests where the server goes away and
// comes back (see WatchInformerRestartTests):
//   node informer-state.mjs <server-url> <namespace> [timeout-seconds]
// Prints one JSON line per informer notice:
//   {"event":"connect"}                          each (re)connect (list or resumed watch)
//   {"event":"error","message":"..."}            a failed list/watch; the informer is restarted
//                                                 after 300 ms, resuming from its last resourceVersion
//   {"event":"add"|"update"|"delete","name":"...","resourceVersion":"...","objects":{"name":"rv",...}}
//                                                 a change, with the informer's whole object set after it
// Runs until killed or until the timeout (exit code 1).
import * as k8s from '@kubernetes/client-node';
import { anonymousKubeConfig } from './kubeconfig.mjs';

const [server, namespace, timeoutArg] = process.argv.slice(2);
if (!server || !namespace) {
  console.error('usage: node informer-state.mjs <server-url> <namespace> [timeout-seconds]');
  process.exit(2);
}

const timeoutSeconds = Number.parseInt(timeoutArg ?? '120', 10);
const print = (line) => process.stdout.write(JSON.stringify(line) + '\n');
setTimeout(() => {
  process.stderr.write(`timeout: still running after ${timeoutSeconds} s\n`);
  process.exit(1);
}, timeoutSeconds * 1000);
process.on('unhandledRejection', (err) => print({ event: 'error', message: `unhandled rejection: ${err?.message ?? err}` }));

const kc = anonymousKubeConfig(server, namespace);
const core = kc.makeApiClient(k8s.CoreV1Api);
const informer = k8s.makeInformer(
  kc,
  `/api/v1/namespaces/${encodeURIComponent(namespace)}/configmaps`,
  () => core.listNamespacedConfigMap({ namespace }),
);

const objects = () => Object.fromEntries(informer.list(namespace).map((cm) => [cm.metadata.name, cm.metadata.resourceVersion]));
for (const verb of [k8s.ADD, k8s.UPDATE, k8s.DELETE]) {
  informer.on(verb, (obj) => print({ event: verb, name: obj.metadata.name, resourceVersion: obj.metadata.resourceVersion, objects: objects() }));
}

informer.on(k8s.CONNECT, () => print({ event: 'connect' }));
// This client stops an informer on any error; restarting it resumes from the last resourceVersion
// it saw (or lists again after a 410), which is what a controller built on it does.
informer.on(k8s.ERROR, (err) => {
  print({ event: 'error', message: String(err?.message ?? err) });
  setTimeout(() => informer.start().catch((e) => print({ event: 'error', message: `restart: ${e?.message ?? e}` })), 300);
});

try {
  await informer.start();
} catch (err) {
  print({ event: 'error', message: `start: ${err?.message ?? err}` });
  setTimeout(() => informer.start().catch((e) => print({ event: 'error', message: `restart: ${e?.message ?? e}` })), 300);
}
