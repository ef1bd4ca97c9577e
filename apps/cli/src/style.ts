/**
 * Terminal styling: colours only when stdout is a terminal and NO_COLOR is not set
 * (https://no-color.org), so pipes and files get plain text.
 */
export const colorsEnabled = process.stdout.isTTY === true && (process.env["NO_COLOR"] ?? "") === ""

const paint = (code: number) => (text: string) => (colorsEnabled ? `\u001b[${code}m${text}\u001b[0m` : text)

export const style = {
  bold: paint(1),
  dim: paint(2),
  red: paint(31),
  green: paint(32)
}
