import { XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { CONTAMINATION_TYPES, HAZARD_STATUSES, RELEASE_METHODS, TASK_STATUSES } from '../../server/src/db/enums.js';
import { LAYER_STYLES, qml, sld } from '../../server/src/exports/field-package.styles.js';

// The field package's styles cover every value the server can write: a value without a rule
// would fall to the grey "other" rule in QGIS while the web map colours it.

const style = (layer: string) => LAYER_STYLES.find((s) => s.layer === layer)!;
/** The values a style's rules test a field against. */
const valuesOf = (layer: string, field: string) =>
  new Set(
    style(layer).rules.flatMap((rule) =>
      rule.when === 'else'
        ? []
        : rule.when.flatMap((c) => (c.field !== field ? [] : 'is' in c ? [c.is] : 'first' in c ? [c.first] : [])),
    ),
  );

describe('field package styles', () => {
  it('have a rule for every contamination type, release method and task status, and an else rule', () => {
    expect([...valuesOf('hazards', 'contamination')].sort()).toEqual([...CONTAMINATION_TYPES].sort());
    expect([...valuesOf('releases', 'method')].sort()).toEqual([...RELEASE_METHODS].sort());
    expect([...valuesOf('tasks', 'status')].sort()).toEqual([...TASK_STATUSES].sort());
    for (const layer of ['hazards', 'releases', 'tasks']) expect(style(layer).rules.at(-1)!.when).toBe('else');
  });

  it('give each hazard exactly one rule, whatever its status and classification', () => {
    const hazards = style('hazards').rules.filter((rule) => rule.when !== 'else');
    for (const contamination of CONTAMINATION_TYPES)
      for (const status of HAZARD_STATUSES)
        for (const classification of ['SHA', 'CHA']) {
          const row: Record<string, string> = { contamination: `${contamination},erw`, status, classification };
          const matching = hazards.filter(
            (rule) =>
              rule.when !== 'else' &&
              rule.when.every((c) =>
                'is' in c
                  ? row[c.field] === c.is
                  : 'not' in c
                    ? row[c.field] !== c.not
                    : row[c.field]!.split(',')[0] === c.first,
              ),
          );
          expect(matching, `${contamination} ${status} ${classification}`).toHaveLength(1);
        }
  });

  it('are well-formed QML and SLD for every layer', () => {
    for (const layerStyle of LAYER_STYLES) {
      expect(XMLValidator.validate(qml(layerStyle)), layerStyle.layer).toBe(true);
      expect(XMLValidator.validate(sld(layerStyle)), layerStyle.layer).toBe(true);
    }
  });
});
