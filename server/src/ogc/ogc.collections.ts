import { selectHazardTexts, selectHazards } from '../hazards/hazards.repository.js';
import { toFeature as hazardFeature } from '../hazards/hazards.service.js';
import { selectVisibleReleases } from '../releases/releases.repository.js';
import { toFeature as releaseFeature } from '../releases/releases.service.js';
import { visibleIntersects } from '../restrictions/restrictions.repository.js';
import { exactGeometryScope } from '../restrictions/restrictions.service.js';
import { selectTasks } from '../tasks/tasks.repository.js';
import { readerOf, toFeature as taskFeature } from '../tasks/tasks.service.js';
import {
  CLASSIFICATIONS,
  HAZARD_STATUSES,
  RELEASE_METHODS,
  RELEASE_STATUSES,
  TASK_METHODS,
  TASK_STATUSES,
} from '../db/enums.js';
import { boundaries } from './ogc.boundaries.js';
import { type OgcCollection, after, q } from './ogc.model.js';

// The collections the OGC API serves. Each reads through its feature folder's own scope-aware
// query and feature shape (the JSON API's), so restricted countries reach outside readers as grid
// cells, hidden releases and tasks stay hidden, and free text is withheld exactly as there. The
// queryables are the whitelist of what a filter may name; free text that outside readers do not
// get (name, warnings, team …) is not queryable, so a filter cannot test it either.

const hazards: OgcCollection = {
  id: 'hazards',
  idProperty: 'id',
  title: 'Hazards',
  description:
    'Contaminated areas (suspected and confirmed hazardous areas); restricted countries as grid cells for outside readers',
  temporal: 'recorded_on',
  idType: 'integer',
  target: (actor) => ({
    queryables: {
      id: q('integer', 'hazards.id', 'hazard id'),
      country: q('string', 'hazards.country_iso3', 'ISO 3166-1 alpha-3 code'),
      classification: q('string', 'hazards.classification', 'SHA suspected or CHA confirmed', CLASSIFICATIONS),
      status: q('string', 'hazards.status', 'open, or closed once released', HAZARD_STATUSES),
      recorded_on: q('date', 'hazards.recorded_on', 'date the hazard was recorded'),
      external_ref: q('string', 'hazards.external_ref', 'reference in the national database'),
      priority: q('integer', 'hazards.priority', "the authority's priority class, 1 most urgent … 5"),
      area_m2: q('number', 'hazards.area_m2', 'geodesic area (m²)'),
      remaining_m2: q('number', 'hazards.remaining_m2', 'area not yet released (m²)'),
      synthetic: q('boolean', 'hazards.synthetic', 'true for generated demo data'),
      geometry: q('geometry', 'hazards.geom', 'the hazard polygon'),
    },
    intersects: (shape) =>
      visibleIntersects('hazards.geom', 'hazards.country_iso3', shape, exactGeometryScope(actor), { exactly: true }),
  }),
  page: async (db, actor, where, id, limit) => {
    const rows = await selectHazards(db, exactGeometryScope(actor))
      .where(where)
      .where(after('hazards.id', 'integer', id))
      .orderBy('hazards.id')
      .limit(limit)
      .execute();
    return rows.map((row) => hazardFeature(row));
  },
  texts: (db, actor, where, id, limit) =>
    selectHazardTexts(db, exactGeometryScope(actor))
      .where(where)
      .where(after('hazards.id', 'integer', id))
      .orderBy('hazards.id')
      .limit(limit)
      .execute(),
};

const releases: OgcCollection = {
  id: 'releases',
  idProperty: 'id',
  title: 'Land releases',
  description:
    'Land cancelled, reduced or cleared; approved ones for everybody, submitted and rejected ones for those who act on them',
  temporal: 'completed_on',
  idType: 'integer',
  target: (actor) => ({
    queryables: {
      id: q('integer', 'r.id', 'release id'),
      hazard_id: q('integer', 'r.hazard_id', 'the hazard released from'),
      country: q('string', 'h.country_iso3', 'ISO 3166-1 alpha-3 code'),
      method: q('string', 'r.method', 'cancelled, reduced or cleared', RELEASE_METHODS),
      status: q('string', 'r.status', 'submitted, approved or rejected', RELEASE_STATUSES),
      start_on: q('date', 'r.start_on', 'first day of work'),
      completed_on: q('date', 'r.completed_on', 'day the release was completed'),
      organisation_id: q('integer', 'r.organisation_id', 'the organisation that released it'),
      task_id: q('integer', 'r.task_id', 'the task it was done under'),
      external_ref: q('string', 'r.external_ref', 'reference in the national database'),
      area_m2: q('number', 'r.area_m2', 'geodesic area (m²)'),
      synthetic: q('boolean', 'r.synthetic', 'true for generated demo data'),
      geometry: q('geometry', 'r.geom', 'the released polygon'),
    },
    intersects: (shape) =>
      visibleIntersects('r.geom', 'h.country_iso3', shape, exactGeometryScope(actor), { exactly: true }),
  }),
  page: async (db, actor, where, id, limit) => {
    const rows = await selectVisibleReleases(db, actor, exactGeometryScope(actor))
      .where(where)
      .where(after('r.id', 'integer', id))
      .orderBy('r.id')
      .limit(limit)
      .execute();
    return rows.map((row) => releaseFeature(row));
  },
};

const tasks: OgcCollection = {
  id: 'tasks',
  idProperty: 'id',
  title: 'Tasks',
  description: "Operators' tasks on hazards, as the reader may see them",
  idType: 'integer',
  target: (actor) => ({
    queryables: {
      id: q('integer', 't.id', 'task id'),
      country: q('string', 't.country_iso3', 'ISO 3166-1 alpha-3 code'),
      organisation_id: q('integer', 't.organisation_id', 'the operator organisation'),
      method: q('string', 't.method', 'the planned method', TASK_METHODS),
      status: q('string', 't.status', 'task status', TASK_STATUSES),
      planned_start: q('date', 't.planned_start', 'planned first day'),
      planned_end: q('date', 't.planned_end', 'planned last day'),
      area_m2: q('number', 't.area_m2', 'geodesic area (m²)'),
      geometry: q('geometry', 't.geom', 'where the task works'),
    },
    intersects: (shape) =>
      visibleIntersects('t.geom', 't.country_iso3', shape, readerOf(actor).exact, { exactly: true }),
  }),
  page: async (db, actor, where, id, limit) => {
    const rows = await selectTasks(db, readerOf(actor))
      .where(where)
      .where(after('t.id', 'integer', id))
      .orderBy('t.id')
      .limit(limit)
      .execute();
    return rows.map((row) => taskFeature(row));
  },
};

export const COLLECTIONS: readonly OgcCollection[] = [hazards, releases, ...boundaries, tasks];

export const collectionById = (id: string) => COLLECTIONS.find((c) => c.id === id);
