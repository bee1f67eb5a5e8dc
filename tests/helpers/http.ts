// fetch for tests, robust on a busy machine. Between two requests a test may keep the event loop
// busy (a slow query, a large JSON parse); the server can then close an idle keep-alive socket at
// the very moment fetch reuses it, and fetch fails with a reset that says nothing about the app.
// An idempotent request (GET, HEAD) is sent once more in that case; any other failure, and any
// failure of a write, is the test's to see.

const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET']);

const isSocketReset = (error: unknown): boolean => {
  const cause = (error as { cause?: { code?: string } } | undefined)?.cause;
  return error instanceof TypeError && RESET_CODES.has(cause?.code ?? '');
};

export async function testFetch(url: string, init: RequestInit = {}): Promise<Response> {
  const method = (init.method ?? 'GET').toUpperCase();
  try {
    return await fetch(url, init);
  } catch (error) {
    if ((method === 'GET' || method === 'HEAD') && isSocketReset(error)) return fetch(url, init);
    throw error;
  }
}
