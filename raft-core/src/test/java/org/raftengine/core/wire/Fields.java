package org.raftengine.core.wire;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Field-wise equality for messages. Records compare {@code byte[]} components by reference, so two
 * {@code ForwardCommand}s with the same bytes are not {@code equals}: this turns a record into a list of
 * its type and components, recursively, with arrays as hex, which compares by content and prints a
 * readable difference.
 */
final class Fields {

    private Fields() {
    }

    static Object of(Object o) {
        if (o instanceof byte[] b) {
            return "bytes[" + b.length + "]:" + HexFormat.of().formatHex(b);
        }
        if (o instanceof List<?> list) {
            List<Object> out = new ArrayList<>(list.size());
            for (Object e : list) {
                out.add(of(e));
            }
            return out;
        }
        if (o instanceof Record r) {
            List<Object> out = new ArrayList<>();
            out.add(r.getClass().getSimpleName());
            for (RecordComponent c : r.getClass().getRecordComponents()) {
                try {
                    out.add(c.getName() + "=");
                    out.add(of(c.getAccessor().invoke(r)));
                } catch (IllegalAccessException | InvocationTargetException e) {
                    throw new AssertionError("cannot read " + c.getName() + " of " + r.getClass(), e);
                }
            }
            return out;
        }
        return o;
    }
}
