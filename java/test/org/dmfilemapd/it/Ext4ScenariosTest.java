package org.dmfilemapd.it;

/** The scenarios on ext4. */
class Ext4ScenariosTest extends MonitorScenarios {
    @Override
    Fs fs() {
        return Fs.EXT4;
    }
}
