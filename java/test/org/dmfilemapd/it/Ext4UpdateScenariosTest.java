package org.dmfilemapd.it;

/** The update scenarios on ext4. */
class Ext4UpdateScenariosTest extends UpdateScenarios {
    @Override
    Fs fs() {
        return Fs.EXT4;
    }
}
