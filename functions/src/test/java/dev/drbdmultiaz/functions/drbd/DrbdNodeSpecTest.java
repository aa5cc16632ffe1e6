package dev.drbdmultiaz.functions.drbd;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("DrbdNodeSpec")
class DrbdNodeSpecTest {

    @ParameterizedTest(name = "accepts hostname \"{0}\"")
    @DisplayName("accepts short EC2 names and FQDNs as hostnames")
    @ValueSource(strings = {
        "ip-10-0-1-5", "ip-10-0-1-5.ec2.internal", "i-0123456789abcdef0", "node1", "a",
        "Node-A.example.com",
        // 64 characters, the Linux limit for uname -n
        "abcdefghij-abcdefghij-abcdefghij-abcdefghij-abcdefghij.abcdefghi"})
    void acceptsHostnames(String hostname) {
        assertDoesNotThrow(() -> new DrbdNodeSpec(hostname, "10.0.1.5", 0));
    }

    @ParameterizedTest(name = "fails for hostname \"{0}\"")
    @DisplayName("fails for a hostname that is not an RFC 1123 name DRBD can match")
    @NullAndEmptySource
    @ValueSource(strings = {
        "ip 10 0 1 5", "ip-10-0-1-5\"", "ip-10-0-1-5'", "node{a}", "node}", "node;rm",
        "-leading-hyphen", "trailing-hyphen-", "trailing.dot.", ".leading.dot", "two..dots",
        "under_score", "tab\tname", "new\nline", "back\\slash", "ümlaut",
        // label of 64 characters
        "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcd",
        // 65 characters in total
        "abcdefghij-abcdefghij-abcdefghij-abcdefghij-abcdefghij.abcdefghij"})
    void failsForBadHostname(String hostname) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> new DrbdNodeSpec(hostname, "10.0.1.5", 0));
        assertTrue(e.getMessage().startsWith("hostname must be"), e.getMessage());
        assertTrue(e.getMessage().endsWith(hostname == null ? "null" : "'" + hostname + "'"), e.getMessage());
    }

    @ParameterizedTest(name = "fails for address \"{0}\"")
    @DisplayName("fails for an address that is not a reachable unicast IPv4 dotted quad")
    @NullAndEmptySource
    @ValueSource(strings = {
        "10.0.1", "10.0.1.5.6", "10.0.1.256", "10.0.01.5", "10.0.1.5:7789", "10.0.1.a",
        " 10.0.1.5", "::1", "fe80::1", "0.0.0.0", "127.0.0.1", "224.0.0.1", "255.255.255.255"})
    void failsForBadAddress(String address) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> new DrbdNodeSpec("ip-10-0-1-5", address, 0));
        assertTrue(e.getMessage().startsWith("address must be"), e.getMessage());
        assertTrue(e.getMessage().endsWith(address == null ? "null" : "'" + address + "'"), e.getMessage());
    }

    @ParameterizedTest(name = "fails for node-id {0}")
    @DisplayName("fails for a node-id outside 0..31")
    @ValueSource(ints = {-1, 32, 1000})
    void failsForBadNodeId(int nodeId) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> new DrbdNodeSpec("ip-10-0-1-5", "10.0.1.5", nodeId));
        assertTrue(e.getMessage().contains("between 0 and 31, got " + nodeId), e.getMessage());
    }

    @Test
    @DisplayName("accepts node-ids 0 and 31")
    void acceptsNodeIdBounds() {
        assertDoesNotThrow(() -> new DrbdNodeSpec("ip-10-0-1-5", "10.0.1.5", 0));
        assertDoesNotThrow(() -> new DrbdNodeSpec("ip-10-0-1-5", "10.0.1.5", 31));
    }
}
