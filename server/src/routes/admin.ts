// The admin panel's API (API.md §3).
export default [] as any[];
