// The field package's layer styles: the web map's colours (its palette, so the two cannot drift
// apart) as QGIS rule-based styles (QML) and as SLD, stored in the GeoPackage's `layer_styles`
// table, where QGIS and QField look for a layer's default style when they open it.
import {
  CONTAMINATION_COLOURS,
  COUNTRY_OUTLINE,
  METHOD_COLOURS,
  PROVINCE_LINE,
  TASK_STATUS_COLOURS,
} from '../../../web/src/map/palette.js';
import en from '../../../web/src/i18n/en.json' with { type: 'json' };

/** A test on one text column; `first` matches the first item of a comma-separated list (as exports write lists). */
type Condition = { field: string } & ({ is: string } | { not: string } | { first: string });

interface Symbol {
  fill: { colour: string; opacity: number } | null;
  line: { colour: string; widthPx: number; dashed?: boolean };
}

interface Rule {
  label: string;
  /** Every condition holds ([] matches every feature), or 'else': no other rule matched. */
  when: Condition[] | 'else';
  symbol: Symbol;
}

export interface LayerStyle {
  layer: string;
  title: string;
  rules: Rule[];
}

const label = (key: string): string => (en as Record<string, string>)[key] ?? key;
/** The colour the web map gives values it has no colour for. */
const UNKNOWN = '#666666';

/**
 * Hazards by their (first) contamination type; confirmed open areas strong, suspected ones pale,
 * closed ones barely there, as on the web map.
 */
function hazardRules(): Rule[] {
  const states = [
    {
      name: label('classification.CHA'),
      when: [
        { field: 'status', is: 'open' },
        { field: 'classification', is: 'CHA' },
      ],
      opacity: 0.7,
      widthPx: 1.4,
    },
    {
      name: label('classification.SHA'),
      when: [
        { field: 'status', is: 'open' },
        { field: 'classification', is: 'SHA' },
      ],
      opacity: 0.35,
      widthPx: 0.9,
    },
    { name: label('hazard_status.closed'), when: [{ field: 'status', not: 'open' }], opacity: 0.15, widthPx: 0.9 },
  ];
  return [
    ...Object.entries(CONTAMINATION_COLOURS).flatMap(([type, colour]) =>
      states.map((state) => ({
        label: `${label(`contamination.${type}`)}: ${state.name}`,
        when: [{ field: 'contamination', first: type }, ...state.when],
        symbol: { fill: { colour, opacity: state.opacity }, line: { colour, widthPx: state.widthPx } },
      })),
    ),
    {
      label: 'other',
      when: 'else',
      symbol: { fill: { colour: UNKNOWN, opacity: 0.35 }, line: { colour: UNKNOWN, widthPx: 0.9 } },
    },
  ];
}

function releaseRules(): Rule[] {
  return [
    ...Object.entries(METHOD_COLOURS).map(([method, colour]) => ({
      label: label(`method.${method}`),
      when: [{ field: 'method', is: method }],
      symbol: { fill: { colour, opacity: 0.75 }, line: { colour, widthPx: 0.5 } },
    })),
    {
      label: 'other',
      when: 'else',
      symbol: { fill: { colour: '#999999', opacity: 0.75 }, line: { colour: '#999999', widthPx: 0.5 } },
    },
  ];
}

/** Tasks by status (the web map's other colouring, by operator, has no fixed legend): a light fill, proposals dashed. */
function taskRules(): Rule[] {
  return [
    ...Object.entries(TASK_STATUS_COLOURS).map(([status, colour]) => ({
      label: label(`task_status.${status}`),
      when: [{ field: 'status', is: status }],
      symbol: { fill: { colour, opacity: 0.12 }, line: { colour, widthPx: 2, dashed: status === 'proposed' } },
    })),
    {
      label: 'other',
      when: 'else',
      symbol: { fill: { colour: UNKNOWN, opacity: 0.12 }, line: { colour: UNKNOWN, widthPx: 2 } },
    },
  ];
}

/** Every layer of the package with its style, in the order the package writes them. */
export const LAYER_STYLES: LayerStyle[] = [
  {
    layer: 'country',
    title: 'Country outline',
    rules: [{ label: 'country', when: [], symbol: { fill: null, line: { colour: COUNTRY_OUTLINE, widthPx: 2.2 } } }],
  },
  {
    layer: 'provinces',
    title: 'Provinces',
    rules: [
      {
        label: 'province',
        when: [],
        symbol: { fill: null, line: { colour: PROVINCE_LINE, widthPx: 0.6, dashed: true } },
      },
    ],
  },
  { layer: 'tasks', title: 'Tasks by status', rules: taskRules() },
  { layer: 'hazards', title: label('legend.hazards'), rules: hazardRules() },
  { layer: 'releases', title: label('legend.releases'), rules: releaseRules() },
];

const xml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
/** A CSS pixel in millimetres, QGIS's unit of symbol sizes. */
const mm = (px: number): string => (px * 0.2646).toFixed(2);

function rgba(hex: string, opacity = 1): string {
  const [r, g, b] = [1, 3, 5].map((at) => parseInt(hex.slice(at, at + 2), 16));
  return `${r},${g},${b},${Math.round(opacity * 255)}`;
}

/** A QGIS expression of a rule's conditions (values are SQL-quoted). */
function qgisFilter(when: Condition[]): string {
  const text = (value: string) => `'${value.replace(/'/g, "''")}'`;
  return when
    .map((c) => {
      const field = `"${c.field}"`;
      if ('is' in c) return `${field} = ${text(c.is)}`;
      if ('not' in c) return `${field} <> ${text(c.not)}`;
      return `(${field} = ${text(c.first)} OR ${field} LIKE ${text(`${c.first},%`)})`;
    })
    .join(' AND ');
}

function qmlSymbol(index: number, { fill, line }: Symbol): string {
  const props: Record<string, string> = {
    color: rgba(fill?.colour ?? line.colour, fill?.opacity ?? 0),
    style: fill ? 'solid' : 'no',
    outline_color: rgba(line.colour),
    outline_style: line.dashed ? 'dash' : 'solid',
    outline_width: mm(line.widthPx),
    outline_width_unit: 'MM',
    joinstyle: 'round',
  };
  const propLines = Object.entries(props).map(([k, v]) => `          <prop k="${k}" v="${xml(v)}"/>`);
  return [
    `      <symbol type="fill" name="${index}" alpha="1" clip_to_extent="1" force_rhr="0">`,
    '        <layer class="SimpleFill" enabled="1" locked="0" pass="0">',
    ...propLines,
    '        </layer>',
    '      </symbol>',
  ].join('\n');
}

/** The style as QGIS writes a layer's style file (.qml): a rule-based renderer, one fill symbol per rule. */
export function qml(style: LayerStyle): string {
  const rules = style.rules.map((rule, i) => {
    const filter = rule.when === 'else' ? 'ELSE' : qgisFilter(rule.when);
    const filterAttribute = filter ? ` filter="${xml(filter)}"` : '';
    return `      <rule key="${style.layer}-${i}" symbol="${i}" label="${xml(rule.label)}"${filterAttribute}/>`;
  });
  return [
    "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>",
    '<qgis version="3.22.0" styleCategories="Symbology">',
    '  <renderer-v2 type="RuleRenderer" symbollevels="0" forceraster="0" enableorderby="0">',
    `    <rules key="${style.layer}">`,
    ...rules,
    '    </rules>',
    '    <symbols>',
    ...style.rules.map((rule, i) => qmlSymbol(i, rule.symbol)),
    '    </symbols>',
    '  </renderer-v2>',
    '  <layerGeometryType>2</layerGeometryType>',
    '</qgis>',
    '',
  ].join('\n');
}

function sldCondition(c: Condition): string {
  const property = `<ogc:PropertyName>${xml(c.field)}</ogc:PropertyName>`;
  const literal = (value: string) => `<ogc:Literal>${xml(value)}</ogc:Literal>`;
  if ('is' in c) return `<ogc:PropertyIsEqualTo>${property}${literal(c.is)}</ogc:PropertyIsEqualTo>`;
  if ('not' in c) return `<ogc:PropertyIsNotEqualTo>${property}${literal(c.not)}</ogc:PropertyIsNotEqualTo>`;
  return (
    `<ogc:Or><ogc:PropertyIsEqualTo>${property}${literal(c.first)}</ogc:PropertyIsEqualTo>` +
    `<ogc:PropertyIsLike wildCard="*" singleChar="?" escapeChar="!">${property}${literal(`${c.first},*`)}</ogc:PropertyIsLike></ogc:Or>`
  );
}

function sldFilter(when: Rule['when']): string {
  if (when === 'else') return '<se:ElseFilter/>';
  if (when.length === 0) return '';
  const conditions = when.map(sldCondition);
  return `<ogc:Filter>${conditions.length === 1 ? conditions[0] : `<ogc:And>${conditions.join('')}</ogc:And>`}</ogc:Filter>`;
}

function sldSymbolizer({ fill, line }: Symbol): string {
  const parameter = (name: string, value: string | number) =>
    `<se:SvgParameter name="${name}">${value}</se:SvgParameter>`;
  const fillPart = fill
    ? `<se:Fill>${parameter('fill', fill.colour)}${parameter('fill-opacity', fill.opacity)}</se:Fill>`
    : '';
  const dash = line.dashed ? parameter('stroke-dasharray', '4 2') : '';
  return (
    `<se:PolygonSymbolizer>${fillPart}<se:Stroke>${parameter('stroke', line.colour)}` +
    `${parameter('stroke-width', line.widthPx)}${parameter('stroke-linejoin', 'round')}${dash}</se:Stroke></se:PolygonSymbolizer>`
  );
}

/** The same style as an OGC Styled Layer Descriptor 1.1 (for clients that read SLD rather than QML). */
export function sld(style: LayerStyle): string {
  const rules = style.rules.map(
    (rule) =>
      `      <se:Rule><se:Name>${xml(rule.label)}</se:Name>${sldFilter(rule.when)}${sldSymbolizer(rule.symbol)}</se:Rule>`,
  );
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<StyledLayerDescriptor version="1.1.0" xmlns="http://www.opengis.net/sld" xmlns:ogc="http://www.opengis.net/ogc"' +
      ' xmlns:se="http://www.opengis.net/se" xmlns:xlink="http://www.w3.org/1999/xlink"' +
      ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"' +
      ' xsi:schemaLocation="http://www.opengis.net/sld http://schemas.opengis.net/sld/1.1.0/StyledLayerDescriptor.xsd">',
    '  <NamedLayer>',
    `    <se:Name>${xml(style.layer)}</se:Name>`,
    '    <UserStyle>',
    `      <se:Name>${xml(style.layer)}</se:Name>`,
    '      <se:FeatureTypeStyle>',
    ...rules,
    '      </se:FeatureTypeStyle>',
    '    </UserStyle>',
    '  </NamedLayer>',
    '</StyledLayerDescriptor>',
    '',
  ].join('\n');
}
