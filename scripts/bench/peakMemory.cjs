// Preloaded (`node --require`) into every measured child: on exit, reports the process's peak
// resident set size, CPU time and V8 heap to the parent on file descriptor 3, so the benchmark can
// measure the unmodified CLI.
'use strict';
const fs = require('node:fs');
const v8 = require('node:v8');
const started = performance.now();
process.on('exit', () => {
  const heap = v8.getHeapStatistics();
  const usage = process.resourceUsage();
  const report = {
    maxRssBytes: usage.maxRSS * 1024,
    // CPU time survives a busy shared machine better than wall time does.
    cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000,
    heapTotalBytes: heap.total_heap_size,
    heapUsedBytes: heap.used_heap_size,
    externalBytes: heap.external_memory,
    inProcessMs: performance.now() - started,
  };
  try {
    fs.writeSync(3, JSON.stringify(report));
  } catch {
    // not started by the benchmark: nothing to report to
  }
});
