package org.dmfilemapd.regions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** Rewriting a stored group tag's member list, and quoting it as one message argument. */
class GroupTagTest {
    @Test
    void oldFormatKeepsAliasAndUserAux() {
        assertEquals("DMS_GROUP=vm.img:0-4#-", RegionUpdater.withMembers("DMS_GROUP=vm.img:0-3#-", "0-4"));
        assertEquals("DMS_GROUP=vm.img:2,5-9#mine", RegionUpdater.withMembers("DMS_GROUP=vm.img:2-3#mine", "2,5-9"));
    }

    @Test
    void newFormatQuotedAliasMayHoldAColon() {
        assertEquals("DMS_GROUP=\"a:b c\":7-9#-", RegionUpdater.withMembers("DMS_GROUP=\"a:b c\":7-8#-", "7-9"));
        assertEquals("DMS_GROUP=:1-2#-", RegionUpdater.withMembers("DMS_GROUP=:1#-", "1-2"));
    }

    @Test
    void notATagIsNotRewritten() {
        assertNull(RegionUpdater.withMembers("user data", "1"));
        assertNull(RegionUpdater.withMembers("DMS_GROUP=vm.img:0-3", "1")); // no '#'
        assertNull(RegionUpdater.withMembers("DMS_GROUP=0-3#-", "1")); // no ':'
    }

    @Test
    void escapeMakesOneArgument() {
        assertEquals("DMS_GROUP=vm.img:0-3#-", RegionUpdater.escape("DMS_GROUP=vm.img:0-3#-"));
        assertEquals("DMS_GROUP=\"a\\ b\\\\c\\\t\":0#-", RegionUpdater.escape("DMS_GROUP=\"a b\\c\t\":0#-"));
    }
}
