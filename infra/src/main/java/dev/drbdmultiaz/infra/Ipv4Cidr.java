package dev.drbdmultiaz.infra;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An IPv4 CIDR block in canonical form (no host bits set), e.g. {@code 10.40.0.0/16}.
 *
 * <p>Parsing returns an empty {@link Optional} for text that is not such a block, so callers can
 * word their own error message with the context key or prop name that held the value.
 *
 * @param address the network address as an unsigned 32-bit value
 * @param prefixLength the prefix length, 0..32
 */
public record Ipv4Cidr(long address, int prefixLength) {

    private static final Pattern FORM =
            Pattern.compile("^(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})/(\\d{1,2})$");

    /** Checks the invariants. */
    public Ipv4Cidr {
        if (prefixLength < 0 || prefixLength > 32) {
            throw new IllegalArgumentException("prefixLength must be 0..32, got " + prefixLength);
        }
        if (address < 0 || address > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("address must be an unsigned 32-bit value, got " + address);
        }
        if ((address & ~mask(prefixLength)) != 0) {
            throw new IllegalArgumentException("host bits must be zero, got " + render(address, prefixLength));
        }
    }

    /**
     * Parses canonical IPv4 CIDR text.
     *
     * @param text e.g. {@code 203.0.113.0/24}
     * @return the block, or empty when the text is not an IPv4 CIDR or has host bits set
     */
    public static Optional<Ipv4Cidr> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        Matcher m = FORM.matcher(text);
        if (!m.matches()) {
            return Optional.empty();
        }
        long address = 0;
        for (int i = 1; i <= 4; i++) {
            int octet = Integer.parseInt(m.group(i));
            if (octet > 255 || (m.group(i).length() > 1 && m.group(i).startsWith("0"))) {
                return Optional.empty();
            }
            address = (address << 8) | octet;
        }
        int prefix = Integer.parseInt(m.group(5));
        if (prefix > 32 || (address & ~mask(prefix)) != 0) {
            return Optional.empty();
        }
        return Optional.of(new Ipv4Cidr(address, prefix));
    }

    @Override
    public String toString() {
        return render(address, prefixLength);
    }

    private static long mask(int prefix) {
        return prefix == 0 ? 0L : (0xFFFF_FFFFL << (32 - prefix)) & 0xFFFF_FFFFL;
    }

    private static String render(long address, int prefix) {
        return ((address >> 24) & 0xFF) + "." + ((address >> 16) & 0xFF) + "."
                + ((address >> 8) & 0xFF) + "." + (address & 0xFF) + "/" + prefix;
    }
}
