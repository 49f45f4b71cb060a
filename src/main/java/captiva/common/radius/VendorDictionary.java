package captiva.common.radius;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The few vendor attributes (Vendor-Specific, Type 26, RFC 2865 s5.26) that say where a guest is
 * connected: which access point or hotspot location, which SSID. Numbers and names are those of the
 * FreeRADIUS 3.2 dictionaries (Debian {@code freeradius-common}, {@code
 * /usr/share/freeradius/dictionary.<vendor>}), cited per entry. Any other vendor or attribute is
 * not an error: it is skipped, as RADIUS servers skip what their dictionary lacks.
 *
 * <p>Vendors known here but with nothing Captiva stores: ChilliSpot 14559 ({@code
 * dictionary.chillispot}: limits, config and version only; CoovaChilli sends its location as
 * WISPr), MikroTik 14988 ({@code dictionary.mikrotik}: limits, realm, wireless keys) and Ubiquiti
 * 41112 (FreeRADIUS's {@code dictionary.ubnt}, not in 3.2: rate limits only). Their access points
 * and controllers say where a guest is through Called-Station-Id ({@code AP-MAC:SSID}), which
 * {@link AccountingRequest#accessPoint()} reads for every vendor.
 */
public final class VendorDictionary {

    public static final int CISCO = 9;
    public static final int WISPR = 14122;
    public static final int CHILLISPOT = 14559;
    public static final int ARUBA = 14823;
    public static final int MIKROTIK = 14988;
    public static final int RUCKUS = 25053;
    public static final int UBIQUITI = 41112;

    /** What an attribute tells about the access point. */
    enum Field {
        SSID,
        AP_NAME,
        AP_GROUP,
        AP_LOCATION_ID,
        AP_MAC
    }

    /** How the value is written. */
    enum Encoding {
        /** UTF-8 text (dictionary type {@code string}). */
        TEXT,
        /** Six octets of a MAC address (dictionary type {@code octets}). */
        MAC_OCTETS,
        /**
         * Cisco-AVPair text {@code key=value} (or {@code key*value}, an optional pair); the key
         * names the field.
         */
        AV_PAIR
    }

    /** One known attribute: its dictionary name, what it tells and how it is written. */
    record Entry(String name, Field field, Encoding encoding) {}

    private record Key(int vendorId, int vendorType) {}

    private static final Map<Key, Entry> ENTRIES =
            Map.ofEntries(
                    // dictionary.wispr: WISPr-Location-ID 1, WISPr-Location-Name 2 (string)
                    Map.entry(
                            new Key(WISPR, 1),
                            new Entry("WISPr-Location-ID", Field.AP_LOCATION_ID, Encoding.TEXT)),
                    Map.entry(
                            new Key(WISPR, 2),
                            new Entry("WISPr-Location-Name", Field.AP_NAME, Encoding.TEXT)),
                    // dictionary.aruba: Aruba-Essid-Name 5, Aruba-Location-Id 6 (the AP's name),
                    // Aruba-AP-Group 10 (string)
                    Map.entry(
                            new Key(ARUBA, 5),
                            new Entry("Aruba-Essid-Name", Field.SSID, Encoding.TEXT)),
                    Map.entry(
                            new Key(ARUBA, 6),
                            new Entry("Aruba-Location-Id", Field.AP_NAME, Encoding.TEXT)),
                    Map.entry(
                            new Key(ARUBA, 10),
                            new Entry("Aruba-AP-Group", Field.AP_GROUP, Encoding.TEXT)),
                    // dictionary.cisco: Cisco-AVPair 1 (string, "key=value")
                    Map.entry(
                            new Key(CISCO, 1),
                            new Entry("Cisco-AVPair", Field.SSID, Encoding.AV_PAIR)),
                    // dictionary.ruckus: Ruckus-SSID 3, Ruckus-Location 5 (string), Ruckus-BSSID 14
                    // (octets),
                    // Ruckus-Zone-Name 134 (string)
                    Map.entry(
                            new Key(RUCKUS, 3),
                            new Entry("Ruckus-SSID", Field.SSID, Encoding.TEXT)),
                    Map.entry(
                            new Key(RUCKUS, 5),
                            new Entry("Ruckus-Location", Field.AP_NAME, Encoding.TEXT)),
                    Map.entry(
                            new Key(RUCKUS, 14),
                            new Entry("Ruckus-BSSID", Field.AP_MAC, Encoding.MAC_OCTETS)),
                    Map.entry(
                            new Key(RUCKUS, 134),
                            new Entry("Ruckus-Zone-Name", Field.AP_GROUP, Encoding.TEXT)));

    /**
     * Cisco-AVPair keys that name a field. {@code ssid} is what Cisco's Aironet guides show ({@code
     * cisco-avpair="ssid=batman"}); {@code cisco-wlan-ssid} is what IOS-XE controllers send.
     */
    private static final Map<String, Field> CISCO_KEYS =
            Map.of(
                    "ssid", Field.SSID,
                    "cisco-wlan-ssid", Field.SSID);

    private VendorDictionary() {}

    /**
     * The entry for this vendor attribute, or empty when Captiva has no use for it (it is then
     * skipped).
     */
    static Optional<Entry> find(int vendorId, int vendorType) {
        return Optional.ofNullable(ENTRIES.get(new Key(vendorId, vendorType)));
    }

    /**
     * The field a Cisco-AVPair key names, or empty for the many keys that say nothing about the
     * access point.
     */
    static Optional<Field> ciscoKey(String key) {
        return Optional.ofNullable(CISCO_KEYS.get(key.strip().toLowerCase(Locale.ROOT)));
    }
}
