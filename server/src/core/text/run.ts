/* What one parse run owns (ParseRun), and the sticky patterns it matches with. */

/**
 * The sticky patterns, matched at a given position (stickyMatch). A sticky regex keeps that
 * position in its own `lastIndex`, state a module-level pattern would carry from one parse into
 * the next, so each parse run makes its own set (ParseRun.sticky).
 */
function stickyPatterns() {
  return {
    // Prefix of a head line: `-#` number, timestamp (-tt, -ttt, -tttt, -ttttt, --nano), `-i any` interface.
    PACKET_NUMBER: /^ *(\d+) {2}/y,
    INDENTED_DELTA: / \d\d:\d\d:\d\d\.\d+ /y,
    // tcpdump 3.9 -ttt prints the delta as `%06d` microseconds, after `%d. ` seconds when there are any.
    TIMESTAMP: / *((?:\d{4}-\d\d-\d\d )?\d{1,2}:\d\d:\d\d(?:\.\d+)?|\d+\.\d+|(?:\d+\. )?\d{6}) +/y,
    /** `--print-caplen`-style lengths before the timestamp, `(invalid ns)` after a broken one. */
    CAPLEN: /caplen \d+ len \d+ /y,
    INVALID_NS: /\(invalid ns\) /y,
    /** What tcpdump prints where a time it cannot convert would be: `[Error converting time]`, `[timestamp overflow]` ... */
    TIME_NOTE: /(\[[^\]\r\n]{0,48}(?:[Tt]ime|[Ee]rror)[^\]\r\n]{0,48}\]|Date fail) +/y,
    /** Where an IP header or its addresses begin after a link layer's own words and `: `. */
    IP_PART_V4: /\(tos 0x|\d{1,3}(?:\.\d{1,3}){3}(?:\.\w+)? > /y,
    IP_PART_V6: /\((?:hlim|class|flowlabel) |[0-9a-f]{0,4}:[0-9a-f:]*(?:\.\w+)? > /y,
    ANY_INTERFACE: /[\w.:@-]+ +(?:In|Out|B|M|P|O|U|\?) +(?:ifindex \d+ +)?/y,
    /** Linux cooked capture with -e: direction, optional link address, then the ethertype. */
    COOKED_E: /(?:In|Out|B|M|P) +(?:[0-9a-f]{2}(?::[0-9a-f]{2})* +)?(?=ethertype )/y,
    MAC_HEAD: /([0-9a-f]{2}(?::[0-9a-f]{2}){5}) > ([0-9a-f]{2}(?::[0-9a-f]{2}){5}|Broadcast)?,? ?/y,
    ETHERTYPE_IP: /ethertype (IPv4|IPv6|MPLS unicast|MPLS multicast) \(0x[0-9a-f]{4}\),? (?:length \d+: )?/y,
    IP_KEYWORD: /IP(6)? /y,
    /** PPP and other links with -e: `IP (0x0021), length 172: `, `MPLS (0x0281), length 48: `. */
    PROTOCOL_E: /(IP6?|MPLS) \(0x[0-9a-f]{4}\), length \d+: /y,
    // Matched where the summary starts, so the line needs no slicing first.
    ADDRESSES: /(\S+) > (\S+?):(?: |$)/y,
  };
}

export function stickyMatch(re: RegExp, line: string, at: number): RegExpExecArray | null {
  re.lastIndex = at;
  return re.exec(line);
}

/**
 * What one parse (parseLineRange) owns while it runs, passed down to the functions that need it,
 * so that nothing of a parse lives at module level: the sticky patterns and the shared strings.
 */
export class ParseRun {
  readonly sticky = stickyPatterns();

  /**
   * One string per distinct address, port and flag set for the packets of this parse. Every
   * packet keeps these, and a capture repeats them packet after packet: sharing one copy leaves
   * the per-packet copies as short-lived garbage instead of data the garbage collector moves twice.
   */
  private readonly strings = new Map<string, string>();

  shared(text: string): string;
  shared(text: string | undefined): string | undefined;
  shared(text: string | undefined): string | undefined {
    if (text === undefined) return undefined;
    const known = this.strings.get(text);
    if (known !== undefined) return known;
    this.strings.set(text, text);
    return text;
  }
}
