# losswatch as a container image: docker build -t losswatch . (docker-compose.yml builds it for you)

# ---- build: the shaded jar, with Maven and a JDK ----------------------------------------------------
FROM maven:3-eclipse-temurin-17 AS build
WORKDIR /src
# dependencies first, so a change to the sources does not download them again
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY src ./src
RUN mvn -B -q package -DskipTests

# ---- run: a JRE, the jar and the documented default configuration ---------------------------------
FROM eclipse-temurin:17-jre
RUN groupadd --system losswatch \
 && useradd --system --gid losswatch --home-dir /app --shell /usr/sbin/nologin losswatch \
 && mkdir -p /app/config /app/data \
 && chown losswatch:losswatch /app/data
WORKDIR /app
COPY --from=build /src/target/losswatch.jar /app/losswatch.jar
COPY config/application.properties /app/config/application.properties
USER losswatch
# Kafka Streams state (state.dir=data/state, relative to /app); a volume keeps it across restarts
VOLUME ["/app/data"]
# in a container the dashboard must listen beyond the loopback interface to be reachable at all
ENV LOSSWATCH_HTTP_BIND=0.0.0.0
EXPOSE 8080
ENTRYPOINT ["java","-jar","/app/losswatch.jar"]
CMD ["run","--config","/app/config/application.properties"]
