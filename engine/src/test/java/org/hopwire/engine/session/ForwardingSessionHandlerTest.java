package org.hopwire.engine.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class ForwardingSessionHandlerTest {
    private static Object zero(Class<?> type) {
        if (type == int.class) {
            return 0;
        }
        if (type == long.class) {
            return 0L;
        }
        if (type == boolean.class) {
            return false;
        }
        return null;
    }

    @Test
    void shouldPassEveryCallbackOfTheInterfaceOn() throws Exception {
        List<String> heard = new ArrayList<>();
        SessionHandler next = (SessionHandler) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {SessionHandler.class}, (proxy, method, args) -> {
                    heard.add(method.getName());
                    return zero(method.getReturnType());
                });
        ForwardingSessionHandler forwarder = new ForwardingSessionHandler(next);
        List<String> expected = new ArrayList<>();
        for (Method m : SessionHandler.class.getMethods()) {
            if (Modifier.isStatic(m.getModifiers())) {
                continue;
            }
            Object[] args = new Object[m.getParameterCount()];
            for (int i = 0; i < args.length; i++) {
                args[i] = zero(m.getParameterTypes()[i]);
            }
            m.invoke(forwarder, args);
            expected.add(m.getName());
        }
        // A new SessionHandler method that the forwarder does not override falls to its default and is missed here.
        assertEquals(expected, heard);
        assertEquals(28, expected.size(), "every callback of the interface was tried");
    }
}
