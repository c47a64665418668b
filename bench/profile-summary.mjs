// Summarises a V8 .cpuprofile (from BENCH_PROFILE=1, i.e. node --cpu-prof on the plugin server):
// self time by package and by function, so BENCHMARKS.md can say where the time goes.
//   node bench/profile-summary.mjs bench/results/profiles/<file>.cpuprofile [rows]
import { readFileSync } from 'node:fs';

const [file, rowsArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: node bench/profile-summary.mjs <file.cpuprofile> [rows]');
  process.exit(1);
}
const rows = Number(rowsArg || 25);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const self = new Map();
const deltas = profile.timeDeltas;
for (let i = 0; i < profile.samples.length; i += 1) {
  self.set(profile.samples[i], (self.get(profile.samples[i]) || 0) + (deltas[i] || 0) / 1000);
}
const total = [...self.values()].reduce((a, b) => a + b, 0);

const packageOf = (url) => {
  if (!url) return '(native / V8)';
  const match = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  if (match) return match[1];
  if (url.includes('/dist/server/')) return 'two-factor plugin (dist)';
  if (url.startsWith('node:')) return 'node core';
  return url.replace(/^file:\/\//, '').split('/').slice(-2).join('/');
};

const add = (map, key, value) => map.set(key, (map.get(key) || 0) + value);
const packages = new Map();
const functions = new Map();
for (const [id, time] of self) {
  const { callFrame } = byId.get(id);
  const name = callFrame.functionName || '(anonymous)';
  const where = callFrame.url ? `${packageOf(callFrame.url)} ${callFrame.url.split('/').pop()}:${callFrame.lineNumber + 1}` : '';
  add(packages, packageOf(callFrame.url) + (callFrame.url ? '' : ` ${name}`), time);
  add(functions, `${name} ${where}`, time);
}
const show = (title, map) => {
  console.log(`\n${title}`);
  for (const [key, time] of [...map].sort((a, b) => b[1] - a[1]).slice(0, rows)) {
    console.log(`${time.toFixed(0).padStart(8)} ms ${((100 * time) / total).toFixed(1).padStart(5)}%  ${key}`);
  }
};
console.log(`${file}: ${total.toFixed(0)} ms sampled`);
show('self time by package', packages);
show('self time by function', functions);
