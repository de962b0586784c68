// The ECharts parts the dashboard draws with, and only those (echarts/core keeps the chunk small).
// Imported by StatsView only, so the charts load with the /stats route and never with the first page.

import { use } from 'echarts/core'
import { BarChart, LineChart, PieChart } from 'echarts/charts'
import { AriaComponent, GridComponent, LegendComponent, TooltipComponent } from 'echarts/components'
import { SVGRenderer } from 'echarts/renderers'

use([SVGRenderer, BarChart, LineChart, PieChart, GridComponent, TooltipComponent, LegendComponent, AriaComponent])

const percent = (share) => (share === null || share === undefined ? '—' : `${Math.round(share * 1000) / 10}%`)
export { percent }

// Shared by every chart: transparent on the page's own background, described for screen readers,
// and still when the person asked for reduced motion.
function base(animate) {
  return {
    backgroundColor: 'transparent',
    animation: animate,
    aria: { enabled: true },
    tooltip: { trigger: 'item', confine: true },
    textStyle: { fontFamily: 'inherit' },
  }
}

/** Applications per department (horizontal bars, most first). */
export function departmentsOption(rows, shortNames, animate) {
  const sorted = [...rows].sort((a, b) => a.applications - b.applications)
  return {
    ...base(animate),
    grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
    xAxis: { type: 'value', minInterval: 1 },
    yAxis: { type: 'category', data: sorted.map((row) => shortNames[row.code] || row.name) },
    series: [
      { type: 'bar', name: '办件量', barMaxWidth: 20, data: sorted.map((row) => row.applications), label: { show: true, position: 'right' } },
    ],
  }
}

/** Applications per month (bars) with the 零跑动 and 最多跑一次 shares (lines, right axis, in %). */
export function monthsOption(months, animate) {
  const asPercent = (share) => (share === null ? null : Math.round(share * 1000) / 10)
  return {
    ...base(animate),
    tooltip: { trigger: 'axis', confine: true },
    legend: { bottom: 0 },
    grid: { left: 8, right: 8, top: 24, bottom: 36, containLabel: true },
    xAxis: { type: 'category', data: months.map((row) => row.code) },
    yAxis: [
      { type: 'value', name: '件', minInterval: 1 },
      { type: 'value', name: '%', min: 0, max: 100, splitLine: { show: false } },
    ],
    series: [
      { type: 'bar', name: '办件量', barMaxWidth: 24, data: months.map((row) => row.applications) },
      { type: 'line', name: '零跑动率', yAxisIndex: 1, data: months.map((row) => asPercent(row.zero_trip_share)) },
      { type: 'line', name: '最多跑一次率', yAxisIndex: 1, data: months.map((row) => asPercent(row.at_most_one_trip_share)) },
    ],
  }
}

/** 零跑动 / 跑一次 / 跑两次及以上, out of all applications. */
export function tripsOption(overview, animate) {
  const total = overview.applications
  const zero = Math.round((overview.zero_trip_share || 0) * total)
  const atMostOne = Math.round((overview.at_most_one_trip_share || 0) * total)
  return {
    ...base(animate),
    legend: { bottom: 0 },
    series: [
      {
        type: 'pie',
        name: '跑动次数',
        radius: ['40%', '68%'],
        center: ['50%', '44%'],
        label: { formatter: '{b}\n{d}%' },
        // an empty slice would only print its 0% label over a neighbour's
        data: [
          { name: '零跑动', value: zero },
          { name: '跑一次', value: atMostOne - zero },
          { name: '跑两次及以上', value: total - atMostOne },
        ].filter((slice) => slice.value > 0),
      },
    ],
  }
}

/** Average and p90 handling time against the promised time limit, per item that has completed applications
 * (horizontal bars: item names are long, a phone is narrow). */
export function handlingOption(items, animate) {
  const rows = items.filter((row) => row.completed > 0).reverse()
  return {
    ...base(animate),
    tooltip: { trigger: 'axis', confine: true },
    legend: { bottom: 0 },
    grid: { left: 16, right: 16, top: 8, bottom: 36, containLabel: true },
    yAxis: {
      type: 'category',
      data: rows.map((row) => row.name),
      axisLabel: { width: 90, overflow: 'truncate' },
    },
    xAxis: { type: 'value', minInterval: 1 },
    series: [
      { type: 'bar', name: '平均用时', barMaxWidth: 12, data: rows.map((row) => row.handling_days_avg) },
      { type: 'bar', name: '九成办结', barMaxWidth: 12,
        data: rows.map((row) => (row.handling_days_p90 < 0 ? null : row.handling_days_p90)) },
      { type: 'bar', name: '承诺时限', barMaxWidth: 12, data: rows.map((row) => row.promised_days) },
    ],
  }
}

export const LEVEL_NAMES = { 5: '非常满意', 4: '满意', 3: '基本满意', 2: '不满意', 1: '非常不满意' }

/** Ratings per level (好差评). */
export function satisfactionOption(levels, animate) {
  const order = [5, 4, 3, 2, 1]
  return {
    ...base(animate),
    grid: { left: 8, right: 24, top: 16, bottom: 8, containLabel: true },
    xAxis: { type: 'category', data: order.map((level) => LEVEL_NAMES[level]), axisLabel: { interval: 0 } },
    yAxis: { type: 'value', minInterval: 1 },
    series: [{ type: 'bar', name: '评价数', barMaxWidth: 32, data: order.map((level) => levels[level] || 0), label: { show: true, position: 'top' } }],
  }
}

/** The 四办 classification of the catalogue. */
export function fourWaysOption(tags, animate) {
  const names = Object.keys(tags)
  return {
    ...base(animate),
    grid: { left: 8, right: 8, top: 24, bottom: 8, containLabel: true },
    xAxis: { type: 'category', data: names },
    yAxis: { type: 'value', minInterval: 1 },
    series: [{ type: 'bar', name: '事项数', barMaxWidth: 40, data: names.map((name) => tags[name]), label: { show: true, position: 'top' } }],
  }
}

/** A bar chart's height for `rows` categories: room for each bar and its label. */
export function heightFor(rows, perRow = 40) {
  return `${Math.max(220, rows * perRow + 60)}px`
}
