type Connection = D1Database | D1DatabaseSession

/**
 * `handler` over the binding and over every session the Worker opens from it, where its queries run. Only
 * `prepare` and `batch` go through `handler`; the rest is the real one's, bound to it.
 */
export function proxyD1(db: D1Database, handler: ProxyHandler<Connection>): D1Database {
  const through = <T extends Connection>(connection: T): T =>
    new Proxy(connection, {
      get(target, property, receiver) {
        if (property === 'withSession') {
          return (start?: string) => through((target as D1Database).withSession(start))
        }
        if ((property === 'prepare' || property === 'batch') && handler.get) {
          return handler.get(target, property, receiver)
        }
        const value = Reflect.get(target, property)
        return typeof value === 'function' ? value.bind(target) : value
      },
    })
  return through(db)
}

type FlakyOptions = {
  /** How many executions fail before everything passes through; all of them by default. */
  failures?: number
  message?: string
  /** Fail only batches (the writes here), letting single statements through. */
  batchesOnly?: boolean
}

/**
 * The real D1 binding, made to fail on demand: the next `failures` executions
 * (of a statement or a batch) reject with `message`, then everything passes
 * through. `executions` lists the SQL of every attempt, failed or not.
 */
export function flakyD1(
  db: D1Database,
  {
    failures = Number.POSITIVE_INFINITY,
    message = 'D1_ERROR: Network connection lost.',
    batchesOnly = false,
  }: FlakyOptions = {},
) {
  let remaining = failures
  const executions: string[] = []
  const real = new WeakMap<object, D1PreparedStatement>()

  /** Records an execution; a rejection if this one is to fail. */
  const attempt = (sql: string): Promise<never> | undefined => {
    executions.push(sql)
    if (remaining <= 0 || (batchesOnly && sql !== 'batch')) return undefined
    remaining--
    return Promise.reject(new Error(message))
  }

  const wrap = (statement: D1PreparedStatement, sql: string): D1PreparedStatement => {
    const wrapped = new Proxy(statement, {
      get(target, property) {
        if (property === 'bind') return (...values: unknown[]) => wrap(target.bind(...values), sql)
        if (['first', 'all', 'raw', 'run'].includes(property as string)) {
          return (...args: unknown[]) =>
            attempt(sql) ?? (target[property as 'all'] as (...a: unknown[]) => unknown).apply(target, args)
        }
        return Reflect.get(target, property)
      },
    })
    real.set(wrapped, statement)
    return wrapped
  }

  const binding = proxyD1(db, {
    get(target, property) {
      if (property === 'prepare') return (sql: string) => wrap(target.prepare(sql), sql)
      return (statements: D1PreparedStatement[]) =>
        attempt('batch') ?? target.batch(statements.map((s) => real.get(s) ?? s))
    },
  })
  return { binding, executions }
}
