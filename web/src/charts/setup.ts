import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  type ChartType,
  Legend,
  LineController,
  LineElement,
  LinearScale,
  PointElement,
  type Plugin,
  ScatterController,
  Tooltip,
} from 'chart.js';
import { currentLang, isRtl } from '../i18n/i18n.js';

export interface Marker {
  /** Position on the x axis (decimal year). */
  x: number;
  label: string;
  colour: string;
  dash: number[];
}

declare module 'chart.js' {
  // The type parameter must match Chart.js's own declaration to merge with it.
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  interface PluginOptionsByType<TType extends ChartType> {
    markers?: { items: Marker[] };
  }
}

/**
 * Vertical lines with a label at the top: deadlines, extensions and "as of" on the burn-down.
 * Written here rather than pulling in an annotation plugin for four lines.
 */
const markersPlugin: Plugin = {
  id: 'markers',
  afterDatasetsDraw(chart) {
    const items = (chart.options.plugins as { markers?: { items: Marker[] } }).markers?.items ?? [];
    const { ctx, chartArea, scales } = chart;
    const x = scales.x;
    if (!x) return;
    ctx.save();
    ctx.font = '11px system-ui, sans-serif';
    ctx.textBaseline = 'middle';
    for (const item of items) {
      const px = x.getPixelForValue(item.x);
      if (px < chartArea.left || px > chartArea.right) continue;
      ctx.strokeStyle = item.colour;
      ctx.lineWidth = 1.5;
      ctx.setLineDash(item.dash);
      ctx.beginPath();
      ctx.moveTo(px, chartArea.top);
      ctx.lineTo(px, chartArea.bottom);
      ctx.stroke();
      // Label written upwards along the line, so close markers do not overwrite each other.
      ctx.save();
      ctx.translate(px - 4, chartArea.top + 4);
      ctx.rotate(-Math.PI / 2);
      ctx.textAlign = 'right';
      ctx.fillStyle = item.colour;
      ctx.fillText(item.label, 0, 0);
      ctx.restore();
    }
    ctx.restore();
  },
};

Chart.register(
  LineController,
  BarController,
  ScatterController,
  LineElement,
  PointElement,
  BarElement,
  LinearScale,
  CategoryScale,
  Tooltip,
  Legend,
  markersPlugin,
);
Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", "Noto Sans", "Noto Sans Arabic", sans-serif';
Chart.defaults.color = '#3d4650';
Chart.defaults.animation = false;

/** Options every chart shares: the reader's language for numbers, right-to-left legends and tooltips in Arabic. */
export function commonOptions() {
  return {
    locale: currentLang(),
    responsive: true,
    maintainAspectRatio: false,
    plugins: {
      legend: { rtl: isRtl(), textDirection: isRtl() ? 'rtl' : 'ltr', labels: { boxWidth: 14, usePointStyle: true } },
      tooltip: { rtl: isRtl(), textDirection: isRtl() ? 'rtl' : 'ltr' },
    },
  } as const;
}

export { Chart };
