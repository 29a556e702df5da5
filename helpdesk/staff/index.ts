export { openStaffStore, STAFF_ERR, type StaffStore, type StaffSession, type StaffStoreOptions } from './store.js';
export { hashPassword, verifyPassword } from './password.js';
