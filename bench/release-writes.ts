// Single release writes through the HTTP API, as an operator's completion report arrives: a small
// square inside a random live hazard, cleared. Shared by the engine and scale benchmarks.
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { createToken, createUser } from '../server/src/auth/auth.service.js';
import type { Db } from '../server/src/db/pool.js';
import { Random } from '../server/src/demo/demo.random.js';

export interface ReleaseTarget {
  id: string;
  lng: number;
  lat: number;
}

/**
 * `count` random live hazards with area left, in `countries`, each with a point inside it. The
 * draw depends on how many releases there are, so each run writes to other hazards: with the same
 * ones every time, a database kept between runs piled up to 18 releases on one spot, and each
 * write had more overlaps to count than an operator's report would.
 */
export async function releaseTargets(db: Db, countries: string[], count: number): Promise<ReleaseTarget[]> {
  const { rows } = await sql<ReleaseTarget>`
    SELECT id, ST_X(ST_PointOnSurface(geom)) AS lng, ST_Y(ST_PointOnSurface(geom)) AS lat
      FROM hazards, (SELECT count(*)::text AS salt FROM land_releases) r
     WHERE country_iso3 = ANY(${countries}) AND deleted_at IS NULL AND remaining_m2 > 0
     ORDER BY md5(id::text || r.salt) LIMIT ${count}`.execute(db);
  return rows;
}

/** A token of an admin (who may write in every country), for the benchmark's writes. */
export async function adminToken(db: Db): Promise<string> {
  const actor = await createUser(db, {
    email: `bench-scale-${Date.now()}@example.test`,
    password: 'benchmark password 1',
    role: 'admin',
  });
  return (await createToken(db, actor, 'bench', undefined)).token;
}

export function releaseWriter(api: string, token: string) {
  const random = new Random(42);
  const body = (t: ReleaseTarget) => {
    const d = 0.0005 + random.next() * 0.001;
    const ring = [
      [t.lng - d, t.lat - d],
      [t.lng + d, t.lat - d],
      [t.lng + d, t.lat + d],
      [t.lng - d, t.lat + d],
      [t.lng - d, t.lat - d],
    ];
    return {
      type: 'Feature',
      geometry: { type: 'Polygon', coordinates: [ring] },
      properties: {
        hazard_id: Number(t.id),
        method: 'cleared',
        completed_on: '2026-03-01',
        devices: { submunition: 2 },
      },
    };
  };
  /** Writes one release and returns the milliseconds the answer took. */
  const write = async (target: ReleaseTarget): Promise<number> => {
    const started = performance.now();
    const response = await fetch(`${api}/releases`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(body(target)),
    });
    await response.arrayBuffer();
    if (response.status !== 201) throw new Error(`release write answered ${response.status}`);
    return performance.now() - started;
  };
  /** Times one write per target, one at a time, after `warmUp` writes at once (so every pooled
   * connection has compiled its plans, as in a server that has been running for a while). */
  const timed = async (targets: ReleaseTarget[], warmUp: number): Promise<number[]> => {
    await Promise.all(targets.slice(0, warmUp).map(write));
    const times: number[] = [];
    for (const t of targets.slice(warmUp)) times.push(await write(t));
    return times;
  };
  return { write, timed };
}
