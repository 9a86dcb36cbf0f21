export { present, type PresentInput } from './present.ts';
export { HolderWallet, generateDeviceKeys, type DeviceKey } from './wallet.ts';
