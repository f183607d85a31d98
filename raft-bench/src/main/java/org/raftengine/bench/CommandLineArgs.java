package org.raftengine.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The bench's command line as options in order: {@code --name value} or {@code --name=value}, plus flags
 * that take no value. Each mode gives the meaning of the names.
 */
final class CommandLineArgs {

    /** One option as given; the value is null for a flag. */
    record Option(String name, String value) {
    }

    private CommandLineArgs() {
    }

    /**
     * Splits {@code args} into options.
     *
     * @param flags the names that take no value
     * @throws IllegalArgumentException with the message {@code usage} for {@code --help} or {@code -h},
     *                                  or naming an option that lacks its value
     */
    static List<Option> parse(String[] args, Set<String> flags) {
        List<Option> options = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            String value = null;
            int eq = name.indexOf('=');
            if (name.startsWith("--") && eq > 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (name.equals("--help") || name.equals("-h")) {
                throw new IllegalArgumentException("usage");
            }
            if (flags.contains(name)) {
                options.add(new Option(name, null));
                continue;
            }
            if (value == null) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(name + " needs a value");
                }
                value = args[++i];
            }
            options.add(new Option(name, value));
        }
        return options;
    }
}
