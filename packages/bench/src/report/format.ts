/** MB are 10^6 bytes throughout the report. */
export const formatMegabytes = (bytes: number): string => (bytes / 1e6).toFixed(1)

export const formatCount = (count: number): string => Math.round(count).toLocaleString("en-US")

export const formatSeconds = (seconds: number): string => seconds.toFixed(2)
