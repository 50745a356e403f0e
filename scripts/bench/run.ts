// How every benchmark ends: its main's status as the exit code, an uncaught error as 1.
export function runBench(main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
