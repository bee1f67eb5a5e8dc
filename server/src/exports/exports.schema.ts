import { z } from 'zod';
import { HazardListQuery } from '../hazards/hazards.schema.js';
import { ReleaseListQuery } from '../releases/releases.schema.js';
import { TaskListQuery } from '../tasks/tasks.schema.js';

export const EXPORT_FORMATS = ['geojson', 'csv', 'shp', 'gpkg'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

const Format = z
  .enum(EXPORT_FORMATS)
  .default('geojson')
  .describe(
    'geojson (RFC 7946), csv (WKT geometry column; text that starts with =, +, -, @, a tab or a carriage return ' +
      "gets a leading ' so that spreadsheets show it instead of running it), shp (zipped Shapefile, WGS 84 .prj), gpkg (GeoPackage)",
  );

/** The list endpoints' filters, whole selection rather than a page. */
export const HazardExportQuery = HazardListQuery.omit({ limit: true, cursor: true })
  .extend({ format: Format })
  .strict();
export const ReleaseExportQuery = ReleaseListQuery.omit({ limit: true, cursor: true })
  .extend({ format: Format })
  .strict();
export const TaskExportQuery = TaskListQuery.omit({ limit: true, cursor: true }).extend({ format: Format }).strict();

export type HazardExportQuery = z.infer<typeof HazardExportQuery>;
export type ReleaseExportQuery = z.infer<typeof ReleaseExportQuery>;
export type TaskExportQuery = z.infer<typeof TaskExportQuery>;
