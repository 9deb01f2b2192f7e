import * as pulumi from "@pulumi/pulumi";
import { dockerProvider } from "./components/dockerEngine";
import { FlaskStack } from "./components/flaskStack";
import { loadConfig } from "./config/load";
import { serviceCatalogue } from "./render/containers";

// Config is read and validated here, before any resource is declared.
const config = loadConfig();
const webUrl = `http://${config.lanAddress}:${config.webPort}/`;

const engine = dockerProvider(`${config.tier}-docker`, { endpoint: config.docker, host: config.flaskHost });

const app = new FlaskStack(config.tier, {
  tier: config.tier,
  services: serviceCatalogue(config),
  images: config.images,
  databaseImage: config.app.databaseImage,
  secrets: config.secrets,
  provider: engine,
  webUrl,
});

export const tier = config.tier;
export const containerNames = app.containerNames;
export const networkNames = app.networkNames;
export const lanWebUrl = app.webUrl;
export const databaseVolume = app.databaseVolume;
export const publicUrl = pulumi.output(`${config.edge.tls ? "https" : "http"}://${config.domain}/`);
