import { createInterface } from 'node:readline'
import { CliError } from './run-cli'

const CTRL_C = '\u0003'
const BACKSPACE = ['\u007f', '\b']

async function readFirstLine(): Promise<string> {
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY })) {
    return line
  }
  return ''
}

/** Reads one line from the terminal without echoing it; Ctrl-C aborts. */
function promptHidden(prompt: string): Promise<string> {
  const { stdin, stderr } = process
  stderr.write(prompt)
  stdin.setRawMode(true)
  stdin.setEncoding('utf8')
  return new Promise((resolve, reject) => {
    let typed = ''
    const finish = (error?: CliError) => {
      stdin.off('data', onData)
      stdin.setRawMode(false)
      stdin.pause()
      stderr.write('\n')
      if (error) reject(error)
      else resolve(typed)
    }
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n') return finish()
        if (char === CTRL_C) return finish(new CliError('Aborted', 130))
        // Code points, so one backspace removes a whole emoji.
        if (BACKSPACE.includes(char)) typed = Array.from(typed).slice(0, -1).join('')
        else if (char >= ' ') typed += char
      }
    }
    stdin.on('data', onData)
    stdin.resume()
  })
}

/**
 * A password being set: the first line of stdin when it is piped, otherwise typed twice
 * at a prompt on stderr that does not echo.
 *
 * @example
 * // printf 'secret-pass-123\n' | npm run -s user:create -- ...
 * const password = await readNewPassword()
 */
export async function readNewPassword(): Promise<string> {
  if (!process.stdin.isTTY) return readFirstLine()
  const password = await promptHidden('Password: ')
  if ((await promptHidden('Repeat password: ')) !== password) throw new CliError('The passwords do not match')
  return password
}
