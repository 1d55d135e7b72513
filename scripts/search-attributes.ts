/** Prints the bridge's search attributes as `Name=Type`, one a line, for scripts/cluster.sh to register. */
import { byoiSearchAttributes, searchAttributeTypeName } from '../workflows/search-attributes';

for (const key of byoiSearchAttributes) console.log(`${key.name}=${searchAttributeTypeName(key)}`);
