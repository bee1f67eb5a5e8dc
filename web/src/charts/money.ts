import { t, usd, yearLabel } from '../i18n/i18n.js';
import { Chart, commonOptions } from './setup.js';

export interface MoneyRow {
  year: number;
  committed: number | null;
  disbursed: number | null;
}

/** Committed and disbursed USD per year, side by side; a year whose rate is missing has no bar (the table says why). */
export function renderMoney(canvas: HTMLCanvasElement, rows: MoneyRow[]): Chart {
  const base = commonOptions();
  const series = [
    { key: 'committed', label: t('donor.committed'), colour: '#56b4e9', border: '#2a7fb0' },
    { key: 'disbursed', label: t('donor.disbursed'), colour: '#0072b2', border: '#004f7c' },
  ] as const;
  return new Chart(canvas, {
    type: 'bar',
    data: {
      labels: rows.map((row) => yearLabel(row.year)),
      datasets: series.map((s) => ({
        label: s.label,
        data: rows.map((row) => row[s.key]),
        backgroundColor: s.colour,
        borderColor: s.border,
        borderWidth: 1,
      })),
    },
    options: {
      ...base,
      scales: {
        x: { ticks: { autoSkip: true, maxRotation: 0 } },
        y: { beginAtZero: true, title: { display: true, text: t('donor.usd_axis') } },
      },
      plugins: {
        ...base.plugins,
        legend: { ...base.plugins.legend, labels: { ...base.plugins.legend.labels, usePointStyle: false } },
        tooltip: {
          ...base.plugins.tooltip,
          callbacks: { label: (item) => `${item.dataset.label ?? ''}: ${usd(item.parsed.y)}` },
        },
      },
    },
  });
}
