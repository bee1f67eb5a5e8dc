import { z } from 'zod';
import { ORGANISATION_KINDS } from '../db/enums.js';
import { Iso3, PlainText } from '../http/common.schema.js';

export const OrganisationKind = z
  .enum(ORGANISATION_KINDS)
  .describe(
    'national_authority, operator, donor_government, donor_multilateral (e.g. a development bank or the EU), ' +
      'un_agency, ngo, other',
  );

/**
 * An IATI organisation identifier: a registration agency prefix, a hyphen and the number it gives
 * (GB-GOV-1, XM-DAC-41114). IATI forbids spaces and the characters / & | ? in identifiers.
 */
export const IatiIdentifier = (about: string) =>
  z
    .string()
    .trim()
    .max(200)
    .regex(/^[^\s/&|?]+-[^\s/&|?]+$/, 'must be an IATI identifier: a prefix, a hyphen and a code, no spaces or / & | ?')
    .describe(about);

const OrganisationShape = {
  name: PlainText(1, 200, 'the organisation name, unique'),
  acronym: PlainText(1, 32).nullable().optional(),
  kind: OrganisationKind,
  country_iso3: Iso3.nullable().optional().describe('where it is based or works; null for international bodies'),
  iati_ref: IatiIdentifier('IATI organisation identifier, e.g. GB-GOV-1 or XM-DAC-41114').nullable().optional(),
};

export const OrganisationCreate = z.object(OrganisationShape).strict().meta({ id: 'OrganisationCreate' });

export const OrganisationPatch = z
  .object(OrganisationShape)
  .partial()
  .strict()
  .refine((patch) => Object.keys(patch).length > 0, 'nothing to change')
  .meta({ id: 'OrganisationPatch' });

export const OrganisationOut = z
  .object({
    id: z.number(),
    name: z.string(),
    acronym: z.string().nullable(),
    kind: OrganisationKind,
    country_iso3: z.string().nullable(),
    iati_ref: z.string().nullable(),
    version: z.number().int(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: 'Organisation' });

export const OrganisationListQuery = z
  .object({
    kind: OrganisationKind.optional(),
    country: Iso3.optional(),
  })
  .strict();

export const OrganisationList = z.object({ organisations: z.array(OrganisationOut) }).meta({ id: 'OrganisationList' });

export const VersionHeader = z.object({
  'if-match': z.string().describe('the version being edited, e.g. "3" (the record\'s version)'),
});

export type OrganisationCreate = z.infer<typeof OrganisationCreate>;
export type OrganisationPatch = z.infer<typeof OrganisationPatch>;
export type OrganisationOut = z.infer<typeof OrganisationOut>;
export type OrganisationListQuery = z.infer<typeof OrganisationListQuery>;
