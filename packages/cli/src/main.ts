#!/usr/bin/env node
import { processIO } from './io.js';
import { main } from './program.js';
import { terminalPrompt } from './vault/passwords.js';
import { terminalAsk } from './prompt.js';

const code = await main(process.argv.slice(2), { io: processIO(), prompt: terminalPrompt(), ask: terminalAsk() });
// Exit explicitly: a half-open SSH socket or a timer must not keep a finished run alive.
process.stdout.write('', () => process.exit(code));
