import { once } from 'node:events';
import type { Writable } from 'node:stream';

/**
 * Writes and waits until the client has taken it (bounded memory for long answers); false once the
 * client has gone, when there is nothing more to write.
 */
export async function writeOrStop(out: Writable, text: string): Promise<boolean> {
  if (out.destroyed) return false;
  if (out.write(text)) return true;
  const done = new AbortController();
  const taken = await Promise.race([
    once(out, 'drain', { signal: done.signal }).then(
      () => true,
      () => false,
    ),
    once(out, 'close', { signal: done.signal }).then(
      () => false,
      () => false,
    ),
  ]);
  done.abort(); // the listener that lost the race
  return taken;
}
