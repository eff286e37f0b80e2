/** A failure to report as one line on stderr, exiting with `exitCode`. */
export class CliError extends Error {
  override name = 'CliError'

  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message)
  }
}

/**
 * Runs a command's `main` and sets the process exit code from what it returns.
 * A `CliError` prints just its message; anything else is a bug, so it prints in full.
 *
 * @example
 * await runCli(async () => {
 *   if (!ok) throw new CliError('username alice is already taken')
 *   return 0
 * })
 */
export async function runCli(main: () => Promise<number>): Promise<void> {
  try {
    process.exitCode = await main()
  } catch (error) {
    if (!(error instanceof CliError)) {
      console.error(error)
      process.exitCode = 1
      return
    }
    console.error(error.message)
    process.exitCode = error.exitCode
  } finally {
    // The local database's runtime keeps the process alive until it stops.
    const { closeLocalD1 } = await import('./local-d1')
    await closeLocalD1()
  }
}
