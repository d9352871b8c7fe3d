// Benchmark (not a test) of a cluster of three nodes on this machine (loopback addresses
// 127.0.0.11 to .13, Redis and PostgreSQL from Debian's packages on 127.0.0.1), driven by
// build/parley-bench:
//   1. a webinar (P publishers, audio and video; V viewers) with its media on one node
//      (--node-streams 0), then the same webinar forced across the three (--node-streams N):
//      per node, CPU per forwarded packet and the cascade's packets; the cascade's cost per
//      relayed packet is the extra CPU of the spread run over its cascade packets;
//   2. three 10-person meetings, one homed on each node (a parley-bench against each);
//   3. the spread webinar again, node C killed (SIGKILL) in the middle: how long the home
//      takes to end the media of the viewers placed there (their clients then reconnect and
//      are placed again; parley-bench's do not), while A and B go on.
// Prints a table and writes the JSON to build/bench-cluster.json.
//   node bench/cluster.mjs [--publishers P] [--viewers V] [--node-streams N] [--seconds T]
// Needs `make build` and the e2e test's npm packages (tests/e2e/node_modules).
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { PARLEY, ROOT, startServer, tempDir, until, metricValue } from '../tests/e2e/helpers.mjs';
import { startPostgres, startRedis } from '../tests/e2e/services.mjs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const publishers = arg('--publishers', 4);
const viewers = arg('--viewers', 60);
const nodeStreams = arg('--node-streams', 200);
const seconds = arg('--seconds', 15);
const BENCH = path.join(path.dirname(PARLEY), 'parley-bench');
const ADDRESSES = ['127.0.0.11', '127.0.0.12', '127.0.0.13'];

async function startCluster(streams) {
  const postgres = await startPostgres();
  const redis = await startRedis();
  const nodes = [];
  for (const [i, address] of ADDRESSES.entries()) {
    nodes.push(await startServer({ host: address, dataDir: tempDir('parley-bench-node-'),
      args: ['--cluster', redis.url, '--store', postgres.url, '--node-address', address, '--media-workers', '1',
        '--udp-ports', `${45100 + 10 * i}-${45109 + 10 * i}`, '--tcp-ports', 'off', '--node-streams', String(streams),
        '--max-connections-per-address', '100000'] }));
  }
  for (const node of nodes) {
    await until(20000, 'three nodes open to joins', async () =>
      (await metricValue(node.url, 'parley_cluster_nodes')) === 3 && (await metricValue(node.url, 'parley_cluster_joins_refused')) === 0);
  }
  return {
    nodes,
    async stop() {
      for (const node of nodes) await node.stop();
      await redis.remove();
      postgres.remove();
    },
  };
}

const METRICS = ['process_cpu_seconds_total', 'parley_rtp_packets_forwarded_total', 'parley_cascade_packets_sent_total',
  'parley_cascade_packets_received_total', 'parley_cascade_retransmissions_total', 'parley_media_transports',
  'parley_cascade_remote_joins_total'];

async function sample(nodes) {
  const at = performance.now() / 1000;
  const values = [];
  for (const node of nodes) {
    const text = await fetch(`${node.url}/metrics`).then((r) => r.text()).catch(() => '');  // a killed node: zeros
    const row = {};
    for (const name of METRICS) {
      const line = text.split('\n').find((l) => l.startsWith(`${name} `));
      row[name] = line ? Number(line.split(' ')[1]) : 0;
    }
    values.push(row);
  }
  return { at, values };
}

// Runs parley-bench processes (their arguments each) while sampling every node each second;
// returns their JSON reports and the per-node rates over the steady window (every node's
// transports up, the last seconds of the run before the benches report).
async function run(nodes, benches, { tolerateFailure = false } = {}) {
  const samples = [];
  let running = true;
  const sampler = (async () => {
    while (running) {
      samples.push(await sample(nodes));
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  })();
  const reports = await Promise.all(benches.map((args) => new Promise((resolve, reject) => {
    const child = spawn(BENCH, [...args, '--seconds', String(seconds), '--json'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', (code) => {
      if (code === 0) resolve(JSON.parse(out.trim().split('\n').at(-1)));
      else if (tolerateFailure) resolve(null);  // its participants lost their media on purpose
      else reject(new Error(`parley-bench exited ${code}`));
    });
  })));
  running = false;
  await sampler;
  // The measured window: the last `seconds` before the benches ended, less a second each side.
  const end = samples.at(-2), start = samples.find((s) => s.at >= end.at - seconds + 1) ?? samples[0];
  const elapsed = end.at - start.at;
  const perNode = end.values.map((v, i) => {
    const d = (name) => v[name] - start.values[i][name];
    return {
      cpuCores: d('process_cpu_seconds_total') / elapsed,
      forwardedPps: d('parley_rtp_packets_forwarded_total') / elapsed,
      cpuMicrosPerForwarded: d('parley_rtp_packets_forwarded_total') > 0
        ? 1e6 * d('process_cpu_seconds_total') / d('parley_rtp_packets_forwarded_total') : 0,
      cascadeSentPps: d('parley_cascade_packets_sent_total') / elapsed,
      cascadeReceivedPps: d('parley_cascade_packets_received_total') / elapsed,
      cascadeRetransmissions: d('parley_cascade_retransmissions_total'),
      transports: v.parley_media_transports,
      remoteJoins: v.parley_cascade_remote_joins_total,
    };
  });
  return { reports, perNode, elapsed };
}

const sum = (rows, key) => rows.reduce((n, r) => n + r[key], 0);
const results = {};

function print(name, result) {
  console.log(`\n${name} (${result.elapsed.toFixed(1)} s measured)`);
  console.log('node  transports  placed elsewhere  forwarded/s  CPU (cores)  µs/forwarded  cascade out/s  cascade in/s');
  result.perNode.forEach((n, i) => console.log(
    `${'ABC'[i]}     ${String(n.transports).padStart(10)}  ${String(n.remoteJoins).padStart(16)}  ${n.forwardedPps.toFixed(0).padStart(11)}  ` +
    `${n.cpuCores.toFixed(3).padStart(11)}  ${n.cpuMicrosPerForwarded.toFixed(2).padStart(12)}  ` +
    `${n.cascadeSentPps.toFixed(0).padStart(13)}  ${n.cascadeReceivedPps.toFixed(0).padStart(12)}`));
  for (const r of result.reports.filter(Boolean)) {
    console.log(`  parley-bench: loss ${r.loss_pct.toFixed(3)}%, delay p50 ${r.added_delay_p50_ms.toFixed(2)} ms, ` +
      `p99 ${r.added_delay_p99_ms.toFixed(2)} ms, join to first media ${r.join_to_first_packet_ms.toFixed(0)} ms (median)`);
  }
}

const webinar = ['--publishers', String(publishers), '--subscribers', String(viewers), '--rooms', '1'];
for (const [name, streams] of [['webinar on one node', 0], ['webinar across three nodes', nodeStreams]]) {
  const cluster = await startCluster(streams);
  try {
    results[name] = await run(cluster.nodes, [['--url', cluster.nodes[0].url, ...webinar]]);
    print(name, results[name]);
  } finally {
    await cluster.stop();
  }
}
{
  const cluster = await startCluster(0);
  try {
    const name = 'three 10-person meetings, one homed on each node';
    results[name] = await run(cluster.nodes, cluster.nodes.map((n) => ['--url', n.url, '--meeting', '10']));
    print(name, results[name]);
  } finally {
    await cluster.stop();
  }
}
{
  const cluster = await startCluster(nodeStreams);
  try {
    const [a, , c] = cluster.nodes;
    const running = run(cluster.nodes, [['--url', a.url, ...webinar]], { tolerateFailure: true });
    await until(60000, 'viewers on node C', async () => (await metricValue(c.url, 'parley_media_transports')) > 0);
    await new Promise((resolve) => setTimeout(resolve, 4000));  // media flowing for a while
    const onC = await metricValue(c.url, 'parley_media_transports');
    const killedAt = performance.now();
    c.signal('SIGKILL');
    await until(30000, 'the home ends the media placed on C', async () =>
      (await metricValue(a.url, 'parley_cascade_lost_participants_total')) >= onC);
    const detectedMs = performance.now() - killedAt;
    const name = 'the spread webinar, node C killed';
    results[name] = await running;
    results[name].lostOnC = onC;
    results[name].detectedMs = detectedMs;
    print(name, results[name]);
    console.log(`  node C killed with ${onC} viewers' media on it: the home ended their media ${detectedMs.toFixed(0)} ms later`);
  } finally {
    await cluster.stop();
  }
}
// The cascade's cost: what the spread webinar's nodes spent beyond the one-node webinar's CPU
// per forwarded packet, over the packets the nodes cascaded (each sent once and received once).
const one = results['webinar on one node'], three = results['webinar across three nodes'];
const oneRate = sum(one.perNode, 'cpuCores') / sum(one.perNode, 'forwardedPps');
const extra = sum(three.perNode, 'cpuCores') - oneRate * sum(three.perNode, 'forwardedPps');
const cascaded = sum(three.perNode, 'cascadeSentPps');
results.cascadeMicrosPerRelayedPacket = cascaded > 0 ? 1e6 * extra / cascaded : 0;
results.ratioClusterToOneNode = (sum(three.perNode, 'cpuCores') / sum(three.perNode, 'forwardedPps')) / oneRate;
console.log(`\ncascade: ${cascaded.toFixed(0)} packets/s relayed between nodes; extra CPU ${(extra * 1e3).toFixed(0)} ms/s, ` +
  `${results.cascadeMicrosPerRelayedPacket.toFixed(2)} µs per relayed packet (sent and received); ` +
  `CPU per forwarded packet across three nodes / on one node: ${results.ratioClusterToOneNode.toFixed(2)}`);
results.shape = { publishers, viewers, nodeStreams, seconds };
writeFileSync(path.join(ROOT, 'build/bench-cluster.json'), `${JSON.stringify(results, null, 2)}\n`);
