import countries from 'i18n-iso-countries';
import type { OrganisationKind } from '../db/database.js';
import type { GrantOut } from '../grants/grants.schema.js';

// One grant as an IATI 2.03 <iati-activity>, element order as the activity schema's sequence.

/** Text and attribute values with the five XML specials escaped. */
export const xml = (text: string | number): string =>
  String(text).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!,
  );

const narrative = (text: string) => `<narrative>${xml(text)}</narrative>`;

/** DAC 5-digit sector (vocabulary 1): removal of land mines and explosive remnants of war. */
export const SECTOR_MINE_ACTION = '15250';

// IATI OrganisationType codes: 10 government, 40 multilateral, 21 international NGO. Operators and
// other organisations may be NGOs, firms or armed forces, so no type is claimed for them.
const ORGANISATION_TYPE: Partial<Record<OrganisationKind, string>> = {
  national_authority: '10',
  donor_government: '10',
  donor_multilateral: '40',
  un_agency: '40',
  ngo: '21',
};

/** IATI's country codelist is ISO 3166-1 alpha-2, plus XK for Kosovo, which ISO has not assigned. */
export function alpha2(iso3: string): string {
  return countries.alpha3ToAlpha2(iso3) ?? ({ XKX: 'XK' } as Record<string, string>)[iso3] ?? iso3;
}

export interface Party {
  id: string;
  name: string;
  kind: OrganisationKind;
  iati_ref: string | null;
}

export interface ActivityFacts {
  grant: GrantOut;
  reporting: Party & { iati_ref: string };
  recipient: Party;
  /** The country's national authority organisation, where one is recorded. */
  authority: Party | null;
  /** Operators of the tasks the grant pays for, other than the recipient. */
  implementers: Party[];
  points: Array<{ task_id: string; lng: number; lat: number; generalised: boolean }>;
  released: Array<{ year: number; released_m2: number }>;
  today: string;
}

const orgAttributes = (party: Party) =>
  `${party.iati_ref ? ` ref="${xml(party.iati_ref)}"` : ''}${ORGANISATION_TYPE[party.kind] ? ` type="${ORGANISATION_TYPE[party.kind]}"` : ''}`;

const participating = (party: Party, role: string) =>
  `<participating-org role="${role}"${orgAttributes(party)}>${narrative(party.name)}</participating-org>`;

// ActivityStatus: 1 pipeline, 2 implementation, 3 finalisation (its period is over).
function activityStatus(grant: GrantOut, today: string): string {
  if (grant.status === 'pledged') return '1';
  return grant.end_on < today ? '3' : '2';
}

const TRANSACTION_TYPE = { commitment: '2', disbursement: '3' } as const;

/** The <iati-activity> of one grant. */
export function activityXml(facts: ActivityFacts): string {
  const { grant, reporting, recipient, authority } = facts;
  const identifier = grant.iati_identifier ?? `${reporting.iati_ref}-SG-GRANT-${grant.id}`;
  const title = `${grant.donor_name} grant to ${grant.recipient_name}: mine action in ${grant.country_iso3}`;
  const parts = [
    `<iati-activity last-updated-datetime="${xml(grant.updated_at)}" xml:lang="en" default-currency="${xml(grant.currency)}" humanitarian="1">`,
    `<iati-identifier>${xml(identifier)}</iati-identifier>`,
    `<reporting-org ref="${xml(reporting.iati_ref)}" type="${ORGANISATION_TYPE[reporting.kind] ?? '90'}">${narrative(reporting.name)}</reporting-org>`,
    `<title>${narrative(title)}</title>`,
    `<description type="1">${narrative(grant.purpose || title)}</description>`,
    participating(reporting, '1'),
    ...(authority ? [participating(authority, '2')] : []),
    participating(recipient, '4'),
    ...facts.implementers.map((party) => participating(party, '4')),
    `<activity-status code="${activityStatus(grant, facts.today)}"/>`,
    `<activity-date type="1" iso-date="${grant.start_on}"/>`,
    `<activity-date type="3" iso-date="${grant.end_on}"/>`,
    `<recipient-country code="${xml(alpha2(grant.country_iso3))}" percentage="100"/>`,
    ...facts.points.map(
      (point) =>
        `<location ref="${xml(`${identifier}-TASK-${point.task_id}`)}">` +
        `<name>${narrative(`Task ${point.task_id}`)}</name>` +
        `<point srsName="http://www.opengis.net/def/crs/EPSG/0/4326"><pos>${point.lat.toFixed(5)} ${point.lng.toFixed(5)}</pos></point>` +
        // LocationExactness: 1 exact, 2 approximate (a restricted country's grid cell).
        `<exactness code="${point.generalised ? '2' : '1'}"/>` +
        '</location>',
    ),
    `<sector vocabulary="1" code="${SECTOR_MINE_ACTION}" percentage="100"/>`,
    ...grant.transactions.map(
      (t) =>
        '<transaction>' +
        `<transaction-type code="${TRANSACTION_TYPE[t.type]}"/>` +
        `<transaction-date iso-date="${t.on}"/>` +
        `<value currency="${xml(grant.currency)}" value-date="${t.on}">${t.amount.toFixed(2)}</value>` +
        `<provider-org${orgAttributes(reporting)}>${narrative(reporting.name)}</provider-org>` +
        `<receiver-org${orgAttributes(recipient)}>${narrative(recipient.name)}</receiver-org>` +
        '</transaction>',
    ),
    ...(facts.released.length ? [resultXml(facts.released)] : []),
    '</iati-activity>',
  ];
  return parts.join('\n') + '\n';
}

const INDICATOR_DESCRIPTION =
  "Land released with this grant's money by the attribution rule: approved releases completed in the year under " +
  "the tasks it pays for, overlaps counted once, each weighted by the grant's share of its task";

// ResultType 1 output; IndicatorMeasure 1 unit (square metres). Yearly actuals, as attributed.
function resultXml(released: ActivityFacts['released']): string {
  const periods = released.map(
    (year) =>
      `<period><period-start iso-date="${year.year}-01-01"/><period-end iso-date="${year.year}-12-31"/>` +
      `<actual value="${Math.round(year.released_m2)}"/></period>`,
  );
  return (
    '<result type="1" aggregation-status="1">' +
    `<title>${narrative('Land released')}</title>` +
    '<indicator measure="1" ascending="1">' +
    `<title>${narrative('land released (m²)')}</title>` +
    `<description>${narrative(INDICATOR_DESCRIPTION)}</description>` +
    periods.join('') +
    '</indicator></result>'
  );
}
