// A bench refuses a bad option before it starts anything: a message naming it, and exit code 2.
export function checkOption(bench: string, ok: boolean, message: string): void {
  if (ok) return;
  console.error(`${bench}: ${message}`);
  process.exit(2);
}
