/** A Worker under load: where to send requests, and the workerd process whose CPU time is read. */
export type Server = { url: string; pid: number }
