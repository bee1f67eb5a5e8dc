import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/src/config.js';

describe('HTTP timeouts', () => {
  it('default above the 60 s idle timeout of common proxies, headers after keep-alive', () => {
    const config = loadConfig({});
    expect(config.KEEP_ALIVE_TIMEOUT_MS).toBeGreaterThan(60_000);
    expect(config.HEADERS_TIMEOUT_MS).toBeGreaterThan(config.KEEP_ALIVE_TIMEOUT_MS);
  });

  it('are read from the environment, and a headers timeout not above keep-alive stops start-up naming it', () => {
    expect(loadConfig({ KEEP_ALIVE_TIMEOUT_MS: '120000', HEADERS_TIMEOUT_MS: '121000' })).toMatchObject({
      KEEP_ALIVE_TIMEOUT_MS: 120_000,
      HEADERS_TIMEOUT_MS: 121_000,
    });
    expect(() => loadConfig({ KEEP_ALIVE_TIMEOUT_MS: '70000' })).toThrow(
      /HEADERS_TIMEOUT_MS: must be greater than KEEP_ALIVE_TIMEOUT_MS/,
    );
  });
});
