package org.hopwire.engine.fabric.kernel;

/**
 * The privileged helper could not do a ConfigFS change for a reason of its own, not the driver's: it could not be
 * started, the person dismissed the authentication dialog, polkit did not authorise it, it did not answer in time, or
 * it ended. The message says what to do; {@link KernelFabric} shows it as it is instead of typing the errno.
 */
public class HelperFailedException extends SyscallException {
    private static final long serialVersionUID = 1L;

    /**
     * @param number  EACCES when the helper may not run (not installed, not authorised, dismissed), ETIMEDOUT when
     *                it did not answer in time, EIO when it ended
     * @param message what happened and what to do
     */
    public HelperFailedException(int number, String message) {
        super(message, number);
    }
}
