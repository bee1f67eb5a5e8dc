// The app in a process of its own on the benchmark database, as `npm start` runs it: requests are
// timed over HTTP, and its memory is read from /proc, so the benchmark's own client (which parses
// what it fetches) does not count in the app's figures.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

export interface AppProcess {
  /** e.g. http://127.0.0.1:40123/api/v1 */
  api: string;
  /** Starts the peak over (Linux: writing 5 to clear_refs resets VmHWM). */
  resetPeak(): Promise<void>;
  /** Resident memory now and its peak since the last reset, in bytes. */
  memory(): Promise<{ rss: number; peak: number }>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

/** `heapMb`: V8's heap cap (--max-old-space-size), as a deployment with a memory budget sets it;
 * `env`: more settings (e.g. caches off, read replicas). */
export async function startAppProcess(
  databaseUrl: string,
  options: { heapMb?: number; env?: Record<string, string> } = {},
): Promise<AppProcess> {
  const port = await freePort();
  const main = fileURLToPath(new URL('../server/src/main.ts', import.meta.url));
  const heap = options.heapMb === undefined ? [] : [`--max-old-space-size=${options.heapMb}`];
  const child = spawn(process.execPath, [...process.execArgv, ...heap, main], {
    env: {
      ...process.env,
      ...options.env,
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOAD_DEMO_DATA: 'false',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = once(child, 'exit').then(([code]) => {
    throw new Error(`the app process exited (${String(code)}) before it was ready`);
  });
  const ready = new Promise<void>((resolve) => {
    let seen = '';
    child.stdout.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes('Safeground is running at')) resolve();
    });
  });
  await Promise.race([ready, exited]);
  exited.catch(() => {}); // a later exit is stop()'s
  const status = `/proc/${child.pid}/status`;
  const kib = (text: string, field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(text)?.[1] ?? 0) * 1024;
  return {
    api: `http://127.0.0.1:${port}/api/v1`,
    resetPeak: () => writeFile(`/proc/${child.pid}/clear_refs`, '5'),
    memory: async () => {
      const text = await readFile(status, 'utf8');
      return { rss: kib(text, 'VmRSS'), peak: kib(text, 'VmHWM') };
    },
    stop: async () => {
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}
