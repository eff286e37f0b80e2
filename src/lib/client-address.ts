/** The longest text form of an IP address: IPv6 ending in an IPv4 address. */
const MAX_IP_LENGTH = 45

const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/
const HEX_GROUP = /^[0-9a-f]{1,4}$/i

function ipv4Groups(text: string): number[] | undefined {
  if (!IPV4.test(text)) return undefined
  const [a, b, c, d] = text.split('.').map(Number)
  return [(a << 8) | b, (c << 8) | d]
}

/** The eight 16-bit groups of an IPv6 address (RFC 4291 §2.2), or undefined. */
function ipv6Groups(text: string): number[] | undefined {
  const halves = text.split('::')
  if (halves.length > 2) return undefined
  const parts = halves.map((half) => (half === '' ? [] : half.split(':')))
  const groups = parts.map((part) => {
    const last = part.length > 0 ? ipv4Groups(part[part.length - 1]) : undefined
    const hex = last ? part.slice(0, -1) : part
    if (!hex.every((group) => HEX_GROUP.test(group))) return undefined
    return [...hex.map((group) => Number.parseInt(group, 16)), ...(last ?? [])]
  })
  if (groups.some((group) => group === undefined)) return undefined
  const [head, tail = []] = groups as number[][]
  if (halves.length === 1) return head.length === 8 ? head : undefined
  const missing = 8 - head.length - tail.length
  return missing >= 1 ? [...head, ...Array(missing).fill(0), ...tail] : undefined
}

export type ClientAddress = {
  /** Canonical text form, for the audit trail; null when the header is absent or not an address. */
  ip: string | null
  /** IPv4 address or IPv6 /64 (one subscriber's allocation, RFC 6177), so changing the low bits evades no login limit. */
  network: string
}

/** `CF-Connecting-IP` is set by Cloudflare, not the client; anything but an address is discarded, none of its text kept. */
export function clientAddress(header: string | undefined): ClientAddress {
  if (header === undefined || header.length > MAX_IP_LENGTH) return { ip: null, network: 'unknown' }
  if (IPV4.test(header)) return { ip: header, network: header }
  const groups = ipv6Groups(header)
  if (!groups) return { ip: null, network: 'unknown' }
  // An IPv4-mapped address is an IPv4 client.
  if (groups.slice(0, 6).join() === '0,0,0,0,0,65535') {
    const ipv4 = [groups[6] >> 8, groups[6] & 0xff, groups[7] >> 8, groups[7] & 0xff].join('.')
    return { ip: ipv4, network: ipv4 }
  }
  const hex = groups.map((group) => group.toString(16))
  return { ip: compressIpv6(hex), network: `${hex.slice(0, 4).join(':')}::/64` }
}

/** RFC 5952: lower case, the longest run of two or more zero groups as `::`. */
function compressIpv6(hex: string[]): string {
  let best = { start: -1, length: 1 }
  for (let start = 0; start < 8; start++) {
    let length = 0
    while (start + length < 8 && hex[start + length] === '0') length++
    if (length > best.length) best = { start, length }
  }
  if (best.start < 0) return hex.join(':')
  return `${hex.slice(0, best.start).join(':')}::${hex.slice(best.start + best.length).join(':')}`
}
