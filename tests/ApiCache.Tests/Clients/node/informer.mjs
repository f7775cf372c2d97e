// Drives the official Kubernetes JavaScript client (@kubernetes/client-node) against a server:
//   node informer.mjs <server-url> <namespace> <expected-informer-events> [timeout-seconds]
// 1. lists the namespace's configmaps with CoreV1Api and prints
//      {"event":"list","names":[...],"resourceVersion":"..."}
// 2. runs an informer (list + watch) on them and prints one line per informer event
//      {"event":"add"|"update"|"delete","name":"...","resourceVersion":"..."}
//    (and {"event":"connect"} each time it (re)connects), exiting 0 once it has seen the expected
//    number of add/update/delete events.
// A client error or the timeout ends it with exit code 1 and the reason on stderr.
import * as k8s from '@kubernetes/client-node';
import { anonymousKubeConfig } from './kubeconfig.mjs';

const [server, namespace, expectedArg, timeoutArg] = process.argv.slice(2);
if (!server || !namespace || !expectedArg) {
  console.error('usage: node informer.mjs <server-url> <namespace> <expected-informer-events> [timeout-seconds]');
  process.exit(2);
}

const expected = Number.parseInt(expectedArg, 10);
const timeoutSeconds = Number.parseInt(timeoutArg ?? '60', 10);
const print = (line) => process.stdout.write(JSON.stringify(line) + '\n');
const fail = (what, err) => {
  const detail = err && typeof err === 'object'
    ? `${err.stack ?? err.message ?? err}${err.code !== undefined ? ` (code ${err.code})` : ''}${err.body !== undefined ? `\nbody: ${typeof err.body === 'string' ? err.body : JSON.stringify(err.body)}` : ''}`
    : String(err);
  process.stderr.write(`${what}: ${detail}\n`);
  process.exit(1);
};

const timer = setTimeout(() => fail('timeout', `saw fewer than ${expected} informer events within ${timeoutSeconds} s`), timeoutSeconds * 1000);
process.on('unhandledRejection', (err) => fail('unhandled rejection', err));

const kc = anonymousKubeConfig(server, namespace);
const core = kc.makeApiClient(k8s.CoreV1Api);

try {
  const list = await core.listNamespacedConfigMap({ namespace });
  print({ event: 'list', names: list.items.map((cm) => cm.metadata.name), resourceVersion: list.metadata.resourceVersion });
} catch (err) {
  fail('list failed', err);
}

const informer = k8s.makeInformer(
  kc,
  `/api/v1/namespaces/${encodeURIComponent(namespace)}/configmaps`,
  () => core.listNamespacedConfigMap({ namespace }),
);
let seen = 0;
let finished = false;
for (const verb of [k8s.ADD, k8s.UPDATE, k8s.DELETE]) {
  informer.on(verb, async (obj) => {
    print({ event: verb, name: obj.metadata.name, resourceVersion: obj.metadata.resourceVersion });
    if (++seen === expected) {
      finished = true; // stopping aborts the watch request, which the informer reports as an error
      clearTimeout(timer);
      await informer.stop();
      process.exit(0);
    }
  });
}
informer.on(k8s.CONNECT, () => print({ event: 'connect' }));
informer.on(k8s.ERROR, (err) => finished || fail('informer error', err));

try {
  await informer.start();
} catch (err) {
  fail('informer start failed', err);
}
