package dev.drbdmultiaz.functions.drbd;

import java.util.regex.Pattern;

/**
 * One replica node of a DRBD resource, as the membership registry knows it.
 *
 * <p>DRBD picks its own {@code on <hostname>} section by comparing with {@code uname -n}, so
 * {@code hostname} must be the name the node itself reports (short {@code ip-10-0-1-5} or an
 * FQDN), never a name derived from the EC2 private DNS name.
 *
 * @param hostname the node's {@code uname -n}: RFC 1123 labels of letters, digits and
 *     {@code -} separated by {@code .}, at most {@value #MAX_HOSTNAME_LENGTH} characters (the
 *     Linux limit for a node name; a longer name could never match a host)
 * @param address the node's private IPv4 address in dotted-quad form, without leading zeros;
 *     unspecified, loopback, multicast and broadcast addresses are refused
 * @param nodeId the node's stable DRBD node-id, {@value #MIN_NODE_ID}..{@value #MAX_NODE_ID}
 */
public record DrbdNodeSpec(String hostname, String address, int nodeId) {

    /** Lowest DRBD 9 node-id. */
    public static final int MIN_NODE_ID = 0;
    /** Highest DRBD 9 node-id (DRBD 9 supports at most 32 nodes per resource). */
    public static final int MAX_NODE_ID = 31;
    /** Linux limits {@code uname -n} to 64 characters (__NEW_UTS_LEN). */
    public static final int MAX_HOSTNAME_LENGTH = 64;

    private static final String LABEL = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?";
    private static final Pattern HOSTNAME = Pattern.compile(LABEL + "(?:\\." + LABEL + ")*");
    private static final String OCTET = "(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])";
    private static final Pattern IPV4 = Pattern.compile(OCTET + "(?:\\." + OCTET + "){3}");

    public DrbdNodeSpec {
        requireValidHostname(hostname);
        requireValidAddress(address);
        if (nodeId < MIN_NODE_ID || nodeId > MAX_NODE_ID) {
            throw new IllegalArgumentException(String.format(
                "nodeId of host '%s' must be between %d and %d, got %d",
                hostname, MIN_NODE_ID, MAX_NODE_ID, nodeId));
        }
    }

    private static void requireValidHostname(String hostname) {
        if (hostname == null
            || hostname.length() > MAX_HOSTNAME_LENGTH
            || !HOSTNAME.matcher(hostname).matches()) {
            throw new IllegalArgumentException(String.format(
                "hostname must be the node's 'uname -n': RFC 1123 labels of letters, digits and '-'"
                    + " separated by '.', at most %d characters, no spaces, quotes, braces or"
                    + " semicolons; got %s",
                MAX_HOSTNAME_LENGTH, show(hostname)));
        }
    }

    private static void requireValidAddress(String address) {
        if (address == null || !IPV4.matcher(address).matches()) {
            throw new IllegalArgumentException(
                "address must be an IPv4 address in dotted-quad form without leading zeros"
                    + " (e.g. 10.0.1.5), got " + show(address));
        }
        int firstOctet = Integer.parseInt(address.substring(0, address.indexOf('.')));
        if (firstOctet == 0 || firstOctet == 127 || firstOctet >= 224) {
            throw new IllegalArgumentException(
                "address must be a unicast address a peer can reach (not 0.x.x.x, 127.x.x.x,"
                    + " multicast or reserved), got " + show(address));
        }
    }

    static String show(String value) {
        return value == null ? "null" : "'" + value + "'";
    }
}
