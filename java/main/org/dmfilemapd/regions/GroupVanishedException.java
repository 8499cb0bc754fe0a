package org.dmfilemapd.regions;


/**
 * Someone else removed the group, or members of it, while an update was under way. What the
 * update had created is removed again; the monitor ends as it does when the group is gone.
 */
public final class GroupVanishedException extends UpdateException {
    private static final long serialVersionUID = 1L;

    public GroupVanishedException(String message) {
        super(message);
    }
}
