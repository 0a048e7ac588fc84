// Preloaded by test/cli/startup.test.ts (NODE_OPTIONS=--require): reports the flags node was
// started with (process.execArgv: the command line's, not NODE_OPTIONS') on stderr at exit.
process.on('exit', () => process.stderr.write(`\nexecArgv=${JSON.stringify(process.execArgv)}\n`));
