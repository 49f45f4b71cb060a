package captiva.demo;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.UUID;

/** Makes up the demo's guests: names from the venues' countries, example.* emails, devices. */
final class DemoCast {

    static final int GUESTS = 200;

    private static final List<String> FIRST_NAMES =
            List.of(
                    "Oliver", "Amelia", "Harry", "Isla", "George", "Ava", "Jack", "Emily", "Noah",
                    "Sophie", "Mehmet", "Ayşe", "Mustafa", "Zeynep", "Emre", "Elif", "Can", "Defne",
                    "Burak", "Selin", "James", "Olivia", "Michael", "Emma", "Daniel", "Mia",
                    "Carlos", "Sofia", "Jamal", "Priya", "Haruto", "Yui", "Sota", "Hina", "Ren",
                    "Aoi", "Kenji", "Sakura", "Shagun", "Lars");
    private static final List<String> LAST_NAMES =
            List.of(
                    "Smith",
                    "Jones",
                    "Taylor",
                    "Brown",
                    "Williams",
                    "Wilson",
                    "Evans",
                    "Patel",
                    "Khan",
                    "Murphy",
                    "Yılmaz",
                    "Kaya",
                    "Demir",
                    "Şahin",
                    "Çelik",
                    "Yıldız",
                    "Öztürk",
                    "Aydın",
                    "Arslan",
                    "Koç",
                    "Johnson",
                    "Garcia",
                    "Miller",
                    "Davis",
                    "Rodriguez",
                    "Martinez",
                    "Lee",
                    "Walker",
                    "Nguyen",
                    "Goel",
                    "Sato",
                    "Suzuki",
                    "Takahashi",
                    "Tanaka",
                    "Watanabe",
                    "Ito",
                    "Yamamoto",
                    "Nakamura",
                    "Kobayashi",
                    "Larsen");
    private static final List<String> MAIL_DOMAINS =
            List.of("example.com", "example.org", "example.net", "mail.example");
    private static final List<String> DEVICES =
            List.of(
                    "Chrome 131 / Android 14",
                    "Samsung Internet 26 / Android 14",
                    "Chrome 130 / Android 13",
                    "Safari 18.1 / iOS 18.1",
                    "Safari 17.6 / iOS 17.6",
                    "WebKit",
                    "Safari 18 / macOS 15",
                    "Chrome 131 / Windows 11",
                    "Edge 131 / Windows 11",
                    "Firefox 133 / Windows 10",
                    "Firefox 133 / Ubuntu 24.04",
                    "Chrome 131 / ChromeOS");

    private DemoCast() {}

    static List<DemoGuest> guests(Random random) {
        List<DemoGuest> guests = new ArrayList<>(GUESTS);
        Set<String> usernames = new HashSet<>();
        Set<String> emails = new HashSet<>();
        while (guests.size() < GUESTS) {
            String first = Draws.oneOf(random, FIRST_NAMES);
            String last = Draws.oneOf(random, LAST_NAMES);
            String username = String.format("%08X", random.nextInt());
            String local = ascii(first) + "." + ascii(last);
            String email = local + "@" + Draws.oneOf(random, MAIL_DOMAINS);
            if (emails.contains(email)) {
                email = local + (guests.size() + 1) + "@" + Draws.oneOf(random, MAIL_DOMAINS);
            }
            if (!usernames.add(username) || !emails.add(email)) {
                continue;
            }
            int deviceCount = random.nextDouble() < 0.7 ? 1 : 2;
            List<DemoGuest.Device> devices = new ArrayList<>(deviceCount);
            for (int d = 0; d < deviceCount; d++) {
                devices.add(new DemoGuest.Device(mac(random), Draws.oneOf(random, DEVICES)));
            }
            guests.add(
                    new DemoGuest(
                            username,
                            first + " " + last,
                            email,
                            uuid(random).toString(),
                            random.nextInt(VenuePlan.ALL.size()),
                            List.copyOf(devices)));
        }
        return List.copyOf(guests);
    }

    /**
     * Most phones now join guest Wi-Fi with a randomised, locally administered MAC (x2, x6, xa,
     * xe).
     */
    private static String mac(Random random) {
        byte[] bytes = new byte[6];
        random.nextBytes(bytes);
        if (random.nextDouble() < 0.6) {
            bytes[0] = (byte) ((bytes[0] & 0xfc) | 0x02);
        } else {
            bytes[0] = (byte) (bytes[0] & 0xfc);
        }
        StringBuilder mac = new StringBuilder(17);
        for (int i = 0; i < 6; i++) {
            if (i > 0) {
                mac.append(':');
            }
            mac.append(String.format("%02x", bytes[i] & 0xff));
        }
        return mac.toString();
    }

    /** A version 4 UUID from the seeded random, so yas_ids look real and repeat from run to run. */
    private static UUID uuid(Random random) {
        long high = (random.nextLong() & ~0xf000L) | 0x4000L;
        long low = (random.nextLong() & 0x3fffffffffffffffL) | 0x8000000000000000L;
        return new UUID(high, low);
    }

    private static String ascii(String name) {
        String folded =
                Normalizer.normalize(name.replace("ı", "i"), Normalizer.Form.NFD)
                        .replaceAll("\\p{M}", "");
        return folded.toLowerCase(Locale.ROOT);
    }
}
