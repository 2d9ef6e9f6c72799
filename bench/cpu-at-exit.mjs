// Preloaded by bench/runner.ts (node --import): writes this process's own CPU time (user + system, microseconds) and
// peak RSS to $IDPC_BENCH_CPU_FILE as it exits, whatever path it exits by.
import { writeFileSync } from 'node:fs';

const file = process.env.IDPC_BENCH_CPU_FILE;
if (file) {
  process.on('exit', () => {
    const { user, system } = process.cpuUsage();
    writeFileSync(file, JSON.stringify({ cpuMicros: user + system, maxRssKB: process.resourceUsage().maxRSS }));
  });
}
