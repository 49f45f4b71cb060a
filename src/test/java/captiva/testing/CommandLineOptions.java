package captiva.testing;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code --name value} or {@code --name=value} options of the benchmark and generator mains.
 */
public final class CommandLineOptions {

    private CommandLineOptions() {}

    public static Map<String, String> parse(String[] args) {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException(
                        "unexpected argument "
                                + args[i]
                                + "; options are --name value or --name=value");
            }
            String arg = args[i].substring(2);
            int equals = arg.indexOf('=');
            if (equals >= 0) {
                options.put(arg.substring(0, equals), arg.substring(equals + 1));
            } else if (i + 1 < args.length) {
                options.put(arg, args[++i]);
            } else {
                throw new IllegalArgumentException("--" + arg + " needs a value");
            }
        }
        return options;
    }
}
