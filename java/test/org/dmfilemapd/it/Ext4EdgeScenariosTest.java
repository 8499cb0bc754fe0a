package org.dmfilemapd.it;

/** The edge scenarios on ext4 (no reflink there). */
class Ext4EdgeScenariosTest extends EdgeScenarios {
    @Override
    Fs fs() {
        return Fs.EXT4;
    }
}
