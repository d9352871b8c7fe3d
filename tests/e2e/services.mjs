// The servers a cluster stands on, from Debian's packages, each with its own folder and port,
// started by a test and removed afterwards: PostgreSQL (as nobody when the test runs as root:
// PostgreSQL refuses root) and Redis. `stop()` and `start()` make an outage.
import { execFileSync, spawn } from 'node:child_process';
import { appendFileSync, chownSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { tempDir } from './helpers.mjs';

export async function freePort(host = '127.0.0.1') {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, host, resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const asNobody = (argv) => (process.getuid() === 0 ? ['runuser', ['-u', 'nobody', '--', ...argv]] : [argv[0], argv.slice(1)]);

// PostgreSQL listening on `host` (default 127.0.0.1); url is postgresql://parley@HOST:PORT/parley.
export async function startPostgres({ host = '127.0.0.1' } = {}) {
  const bin = path.join('/usr/lib/postgresql', readdirSync('/usr/lib/postgresql').sort().at(-1), 'bin');
  const dir = tempDir('parley-pg-');
  if (process.getuid() === 0) chownSync(dir, 65534, 65534);
  const port = await freePort();
  const run = (argv) => {
    const [cmd, args] = asNobody(argv);
    execFileSync(cmd, args, { stdio: 'pipe', cwd: dir });
  };
  run([`${bin}/initdb`, '-D', `${dir}/db`, '-A', 'trust', '-U', 'parley', '-E', 'UTF8', '--no-instructions']);
  // initdb lets in loopback only; on a test's own bridge, the nodes on it too.
  if (host !== '127.0.0.1') appendFileSync(`${dir}/db/pg_hba.conf`, 'host all all samenet trust\n');
  const start = () => run([`${bin}/pg_ctl`, '-D', `${dir}/db`, '-w', '-t', '30', '-l', `${dir}/log`, '-o',
    `-p ${port} -k ${dir} -c listen_addresses=${host} -c fsync=off`, 'start']);
  start();
  run([`${bin}/createdb`, '-h', host, '-p', String(port), '-U', 'parley', 'parley']);
  return {
    url: `postgresql://parley@${host}:${port}/parley`,
    start,
    // One SQL statement through psql; its rows, a line each, columns separated by |.
    query: (sql) => execFileSync('psql', ['-h', host, '-p', String(port), '-U', 'parley', '-d', 'parley', '-Atc', sql],
      { encoding: 'utf8' }).trim(),
    stop: () => run([`${bin}/pg_ctl`, '-D', `${dir}/db`, '-m', 'fast', 'stop']),
    remove() {
      try { this.stop(); } catch { /* already stopped */ }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// Redis on `host`; url is redis://HOST:PORT. Nothing is saved: a restart starts empty, as
// a replaced Redis would.
export async function startRedis({ host = '127.0.0.1' } = {}) {
  const dir = tempDir('parley-redis-');
  const port = await freePort();
  let child = null;
  const start = async () => {
    // Without a password Redis answers loopback only (protected mode): on a test's own bridge,
    // the nodes on it too.
    child = spawn('redis-server', ['--port', String(port), '--bind', host, '--dir', dir, '--save', '',
      '--appendonly', 'no', '--logfile', `${dir}/redis.log`, ...(host === '127.0.0.1' ? [] : ['--protected-mode', 'no'])],
    { stdio: 'ignore' });
    for (let i = 0; i < 200; i++) {
      const ready = await new Promise((resolve) => {
        const socket = net.connect(port, host, () => socket.write('PING\r\n'));
        socket.once('data', (data) => { socket.destroy(); resolve(String(data).startsWith('+PONG')); });
        socket.once('error', () => resolve(false));
      });
      if (ready) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`redis-server did not start on ${host}:${port}`);
  };
  const stop = async () => {
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  };
  await start();
  return {
    url: `redis://${host}:${port}`,
    start,
    stop,
    // One command through redis-cli (Debian's redis-tools); its output, trimmed.
    command: (...args) => execFileSync('redis-cli', ['-h', host, '-p', String(port), ...args], { encoding: 'utf8' }).trim(),
    async remove() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
