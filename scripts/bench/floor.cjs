// The floor the analysis is compared with: read the capture into a string and split it into
// lines, nothing else. Keeps the lines alive to the end so their memory counts like the CLI's.
'use strict';
const { readFileSync } = require('node:fs');
const text = readFileSync(process.argv[2], 'utf8');
const lines = text.split('\n');
process.stdout.write(`${lines.length}\n`);
